// Dashboards (reports/dashboards.py): draws the charts with ECharts from the page's JSON (#dashboard-data); a
// click on a bar, a slice or a point opens its figure page (the records behind the number), a click on a child's
// name in the drill-down chart opens that child's dashboard. Without JavaScript the tables below each chart show
// the same numbers, each a link.
(() => {
  const source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const dark = document.body.classList.contains("screen");
  const palette = ["#c62828", "#ef6c00", "#f9a825", "#6d4c41", "#8e24aa", "#1565c0", "#2e7d32"];
  const text = dark ? "#e8edf5" : "#333";
  const drawn = [];
  const narrow = () => window.innerWidth < 600;
  // Tooltips drawn on the canvas: the HTML ones carry style attributes, which our CSP (no inline style) refuses.

  const point = (item) => ({ name: item.label, value: item.value, url: item.url, display: item.display });
  const valueLabel = { show: true, color: text, formatter: (p) => (p.data && p.data.display) || "" };
  const categoryAxis = (labels) => ({
    type: "category", data: labels, triggerEvent: true,
    axisLabel: { color: text, interval: 0, width: narrow() ? 64 : 90, overflow: "break", fontSize: 11 },
  });
  const valueAxis = (max) => ({ type: "value", max, axisLabel: { color: text }, splitLine: { lineStyle: { opacity: 0.3 } } });
  const grid = { left: 8, right: 24, top: 24, bottom: 8, containLabel: true };

  function option(spec) {
    const labels = spec.items.map((i) => i.label);
    const points = spec.items.map(point);
    const base = { color: palette, backgroundColor: "transparent", tooltip: { trigger: "item", renderMode: "richText" }, textStyle: { color: text } };
    if (spec.kind === "pie") {
      return { ...base, legend: { bottom: 0, textStyle: { color: text } },
        series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"], data: points,
                   label: { color: text, formatter: "{b}\n{c}" } }] };
    }
    if (spec.kind === "rate") {
      return { ...base, grid: { ...grid, right: 56 }, xAxis: valueAxis(100), yAxis: { ...categoryAxis(labels), inverse: true },
        series: [{ type: "bar", data: points, barMaxWidth: 22, label: { ...valueLabel, position: "right" } }] };
    }
    if (spec.kind === "trend") {
      return { ...base, grid, xAxis: categoryAxis(labels), yAxis: valueAxis(),
        series: [{ type: "line", data: points, symbolSize: 10, label: { ...valueLabel, position: "top" } }] };
    }
    return { ...base, grid, xAxis: categoryAxis(labels), yAxis: valueAxis(),
      series: [{ type: "bar", data: points, barMaxWidth: 40, colorBy: "data", label: { ...valueLabel, position: "top" } }] };
  }

  function drillOption(drill) {
    return { color: palette, backgroundColor: "transparent", tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0, textStyle: { color: text } }, textStyle: { color: text },
      grid: { ...grid, right: 32, top: narrow() ? 64 : 36 }, xAxis: valueAxis(), yAxis: { ...categoryAxis(drill.children), inverse: true },
      series: drill.series.map((s) => ({ type: "bar", name: s.name, data: s.items.map(point), barMaxWidth: 14 })) };
  }

  function draw(el, opt, onAxis) {
    el.classList.add("on");
    const chart = echarts.init(el, dark ? "dark" : null);
    chart.on("finished", () => el.classList.add("drawn"));  // animations over: what a test waits for
    chart.setOption(opt);
    chart.on("click", (p) => {
      if (p.componentType === "series" && p.data && p.data.url) window.location.href = p.data.url;
      else if (p.componentType !== "series" && onAxis) onAxis(p.value);
    });
    drawn.push(chart);
    const table = el.parentElement.querySelector("details.chart-data");
    if (table) table.open = false;
  }

  for (const spec of data.charts) {
    const el = document.querySelector(`[data-chart="${spec.id}"]`);
    if (el) draw(el, option(spec));
  }
  const drillEl = document.querySelector('[data-chart="drill"]');
  if (drillEl && data.drill.children.length) {
    const rows = data.drill.children.length * Math.max(1, data.drill.series.length);
    drillEl.classList.add("on");
    drillEl.style.height = `${Math.max(240, rows * 16 + 90)}px`;
    draw(drillEl, drillOption(data.drill), (name) => {
      const i = data.drill.children.indexOf(name);
      if (i >= 0) window.location.href = data.drill.links[i];
    });
  }
  window.addEventListener("resize", () => drawn.forEach((chart) => chart.resize()));
})();
