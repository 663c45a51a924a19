// The app page's burn-rate charts: the figures come from the page's JSON block (the tables below each chart carry
// the same figures as text); a static file because the console's CSP allows no inline script.
(function () {
  'use strict';
  function draw() {
    var block = document.getElementById('burn-history');
    if (!block || typeof Chart === 'undefined') {
      return;
    }
    var data = JSON.parse(block.textContent);
    var dashes = [[], [6, 3], [2, 2], [8, 2, 2, 2], [12, 4], [4, 6], [1, 3]];
    var colours = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#57606a', '#bf3989'];
    data.charts.forEach(function (chart) {
      var canvas = document.getElementById(chart.canvas);
      if (!canvas) {
        return;
      }
      var windows = Object.keys(chart.series);
      new Chart(canvas, {
        type: 'line',
        data: {
          labels: chart.labels,
          datasets: windows.map(function (window, i) {
            return {
              // a gap is an hour whose window had no events: left a gap rather than drawn as a line through it
              label: window, data: chart.series[window], spanGaps: false, borderWidth: 2,
              pointRadius: chart.labels.length > 48 ? 0 : 2,
              borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length],
              // lines differ by dash as well as colour, so they tell apart without colour
              borderDash: dashes[i % dashes.length]
            };
          })
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          scales: {
            x: { ticks: { autoSkip: true, maxTicksLimit: 8, maxRotation: 0 } },
            y: { beginAtZero: true, title: { display: true, text: 'burn rate' } }
          },
          plugins: { legend: { position: 'bottom' } }
        }
      });
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
