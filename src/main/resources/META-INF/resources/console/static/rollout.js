// A rollout's charts: each canvas names the JSON block holding its figures (the tables beside them carry the same).
(function () {
  'use strict';
  var lines = { canary: '#cf222e', control: '#0969da', budget: '#57606a' };
  function line(label, data, colour, dash) {
    return { label: label, data: data, borderColor: colour, backgroundColor: colour, borderDash: dash,
      pointRadius: 2, borderWidth: 2, spanGaps: true };
  }
  function config(canvas, data) {
    var datasets;
    var title;
    if (canvas.dataset.kind === 'convergence') {
      datasets = [line('share of active clients with the flag on (%)', data.share, lines.canary, [])];
      title = '% of active clients';
    } else {
      datasets = [line('canary (flag on)', data.canary, lines.canary, []),
        line('control (flag off)', data.control, lines.control, [6, 4])];
      if (data.budget !== undefined) {
        datasets.push(line('SLO error budget', data.labels.map(function () { return data.budget; }), lines.budget, [2, 3]));
      }
      title = data.measure;
    }
    return { type: 'line', data: { labels: data.labels, datasets: datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: title } } } } };
  }
  function draw(root) {
    if (typeof Chart === 'undefined') {
      return;
    }
    root.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (Chart.getChart(canvas)) {
        return;
      }
      var source = document.getElementById(canvas.dataset.chart);
      if (source) {
        new Chart(canvas, config(canvas, JSON.parse(source.textContent)));
      }
    });
  }
  document.addEventListener('DOMContentLoaded', function () { draw(document); });
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    if (event.detail.shouldSwap === false) {
      return;
    }
    event.detail.target.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      var chart = Chart.getChart(canvas);
      if (chart) {
        chart.destroy();
      }
    });
  });
  document.addEventListener('htmx:oobAfterSwap', function (event) { draw(event.target); });
})();
