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
