// Renders every .kesu-chart from the ECharts option embedded next to it (json_script); the same option is the
// chart's JSON twin. Instances stay reachable through echarts.getInstanceByDom for tests and resizing.
(function () {
  function render(root) {
    (root || document).querySelectorAll(".kesu-chart[data-option]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var src = document.getElementById(el.dataset.option);
      if (!src || !window.echarts) return;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(src.textContent));
      el.dataset.rendered = "1";
    });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll(".kesu-chart[data-rendered]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el); if (c) c.resize();
    });
  });
  document.addEventListener("DOMContentLoaded", function () { render(); });
  document.addEventListener("htmx:afterSwap", function (e) { render(e.target); });
})();
