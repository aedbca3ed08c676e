// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

// Org pickers at province scale (core.forms_base.OrgSearchInput): suggestions as the user types.
document.addEventListener("input", (event) => {
  const input = event.target.closest("input[data-org-search]");
  if (!input) return;
  clearTimeout(input._orgSearchTimer);
  input._orgSearchTimer = setTimeout(async () => {
    const query = input.value.trim();
    const list = document.getElementById(input.getAttribute("list"));
    if (!list || !query) return;
    const url = `/orgs/search/?cap=${encodeURIComponent(input.dataset.orgSearch)}&q=${encodeURIComponent(query)}`;
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const { results } = await response.json();
    list.replaceChildren(...results.map((org) => {
      const option = document.createElement("option");
      option.value = org.code;
      option.label = org.label;
      option.textContent = org.label;
      return option;
    }));
  }, 250);
});

// Person pickers (core.forms_base.PersonSelect): a search box above the list narrows its options by
// name, section or branch as one types. A person chosen by hand stays listed; while nobody is chosen by
// hand, a one-choice list shows the first match, so that typing a name and saving is enough.
function attachPersonSearch(select) {
  if (select.dataset.searchReady) return;
  select.dataset.searchReady = "1";
  let picked = Boolean(select.value);  // chosen by hand (or loaded with the record)
  select.addEventListener("change", () => { picked = Boolean(select.value); });
  const box = document.createElement("input");
  box.type = "search";
  box.className = "person-search";
  box.placeholder = "输入姓名、科室或支部筛选";
  box.setAttribute("aria-label", "筛选人员");
  box.addEventListener("input", () => {
    const words = box.value.trim().split(/\s+/).filter(Boolean);
    let first = null;
    for (const option of select.options) {
      const match = words.every((w) => option.text.includes(w));
      option.hidden = Boolean(option.value) && !match && !(picked && option.selected);
      if (match && option.value && !first) first = option;
    }
    if (!select.multiple && !picked && words.length) select.value = first ? first.value : "";
  });
  select.before(box);
}
document.querySelectorAll("select[data-person-search]").forEach(attachPersonSearch);

// 年度报告 figure picker (reports/report_section_form.html): the chosen figure's {{ key }} goes into the
// section's text at the cursor. Without JavaScript the list still shows each key to type.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-figure-insert]");
  if (!button) return;
  const select = document.getElementById(button.dataset.figureInsert);
  const area = document.querySelector("textarea[data-figure-target]");
  if (!select || !area || !select.value) return;
  event.preventDefault();
  const text = `{{ ${select.value} }}`;
  const at = area.selectionStart ?? area.value.length;
  area.value = area.value.slice(0, at) + text + area.value.slice(area.selectionEnd ?? at);
  area.focus();
  area.selectionStart = area.selectionEnd = at + text.length;
});
