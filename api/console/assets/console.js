// The console's charts (uPlot) over the data each page embeds as JSON. Everything they show is
// also in a table on the page, so reading works without JavaScript.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  // The verdict bar: each segment as wide as its share of the users.
  document.querySelectorAll('.stack .seg').forEach(function (segment) {
    segment.style.flexGrow = segment.getAttribute('data-count') || '0';
  });

  var source = document.getElementById('overview-data');
  if (!source || typeof uPlot === 'undefined') return;
  var data = JSON.parse(source.textContent || '{}');
  var charts = [];

  function widthOf(element) {
    return Math.max(240, element.clientWidth || 240);
  }

  function draw(element, options, columns) {
    options.width = widthOf(element);
    var chart = new uPlot(options, columns, element);
    charts.push({ chart: chart, element: element, height: options.height });
  }

  document.querySelectorAll('[data-chart="seats"]').forEach(function (element) {
    var series = data.seats[Number(element.getAttribute('data-index'))];
    if (!series || series.points.length === 0) return;
    var points = series.points;
    // The whole window, however few readings: one reading is a point at its day, not a year's axis.
    var now = Date.now() / 1000;
    var from = Math.min(points[0][0], now - Number(element.getAttribute('data-days') || 90) * 86400);
    draw(
      element,
      {
        height: 180,
        legend: { live: false },
        series: [
          {},
          { label: 'Used', stroke: '#0b5cad', width: 2, fill: 'rgba(11,92,173,0.08)' },
          { label: 'Seats', stroke: '#b3261e', width: 1.5, dash: [6, 4] },
        ],
        scales: {
          x: { time: true, range: [from, Math.max(now, points[points.length - 1][0])] },
          y: {
            range: function (_u, _min, max) {
              return [0, Math.max(1, max * 1.1)];
            },
          },
        },
        axes: [{}, { size: 50 }],
      },
      [
        points.map(function (p) {
          return p[0];
        }),
        points.map(function (p) {
          return p[1];
        }),
        points.map(function (p) {
          return p[2];
        }),
      ],
    );
  });

  document.querySelectorAll('[data-chart="login"]').forEach(function (element) {
    var buckets = data.login || [];
    if (buckets.length === 0) return;
    // Short axis labels, so seven of them fit a phone's width; the table below has the long ones.
    var labels = buckets.map(function (b) {
      return b.label.replace(' days', '').replace('never logged in', 'never');
    });
    draw(
      element,
      {
        height: 200,
        legend: { show: false },
        scales: {
          x: { time: false, range: [-0.5, buckets.length - 0.5] },
          y: {
            range: function (_u, _min, max) {
              return [0, Math.max(1, max * 1.1)];
            },
          },
        },
        series: [
          {},
          {
            label: 'Users',
            stroke: '#0b5cad',
            fill: 'rgba(11,92,173,0.6)',
            paths: uPlot.paths.bars({ size: [0.7, 80] }),
            points: { show: false },
          },
        ],
        axes: [
          {
            splits: function () {
              return labels.map(function (_l, i) {
                return i;
              });
            },
            values: function (_u, splits) {
              return splits.map(function (i) {
                return labels[i] || '';
              });
            },
            size: 40,
          },
          { size: 50 },
        ],
      },
      [
        labels.map(function (_l, i) {
          return i;
        }),
        buckets.map(function (b) {
          return b.count;
        }),
      ],
    );
  });

  document.querySelectorAll('[data-chart="freed"]').forEach(function (element) {
    var points = data.freed || [];
    if (points.length === 0) return;
    // One point a day before the first, at zero, so a single day still draws a step.
    // At least the last 30 days, so a first day of reclaiming reads as a step, not a wall.
    var now = Date.now() / 1000;
    var from = Math.min(points[0].day - 86400, now - 30 * 86400);
    var days = [points[0].day - 86400].concat(
      points.map(function (p) {
        return p.day;
      }),
    );
    draw(
      element,
      {
        height: 200,
        legend: { live: false },
        series: [
          {},
          { label: 'Freed (total)', stroke: '#1b7a3d', width: 2, paths: uPlot.paths.stepped({ align: 1 }) },
          {
            label: 'Given back (total)',
            stroke: '#8a5a00',
            width: 2,
            dash: [6, 4],
            paths: uPlot.paths.stepped({ align: 1 }),
          },
        ],
        scales: {
          x: { time: true, range: [from, Math.max(now, points[points.length - 1].day)] },
          y: {
            range: function (_u, _min, max) {
              return [0, Math.max(1, max * 1.1)];
            },
          },
        },
        axes: [{}, { size: 50 }],
      },
      [
        days,
        [0].concat(
          points.map(function (p) {
            return p.freed;
          }),
        ),
        [0].concat(
          points.map(function (p) {
            return p.restored;
          }),
        ),
      ],
    );
  });

  var pending;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) {
        c.chart.setSize({ width: widthOf(c.element), height: c.height });
      });
    }, 150);
  });
})();
