// The overview's charts, drawn from the figures the page already holds (#chart-data) and, for the trend, from
// /console/data/trend. Only the ECharts modules used are imported, so esbuild keeps the bundle small. Without
// JavaScript the monitoring table on the page says everything these charts do.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const palette = ['#9e1b1b', '#0b4f9c', '#c8a04a', '#2e7d32', '#6a1b9a', '#00838f', '#5d4037'];
const source = document.getElementById('chart-data');
const data = source ? JSON.parse(source.textContent) : null;

function draw(element, option) {
  const chart = echarts.init(element, null, { renderer: 'canvas' });
  chart.setOption({ color: palette, animation: false, tooltip: {}, ...option });
  window.addEventListener('resize', () => chart.resize());
}

function value(key) {
  const v = data.figures[key];
  return typeof v === 'number' ? v : 0;
}

function pie(element, parts) {
  draw(element, {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], label: { formatter: '{b}\n{c}' }, data: parts }],
  });
}

const charts = {
  models(element) {
    pie(element, [
      { name: data.words['integrated-model.care-with-medical'], value: value('integrated-care-with-medical') },
      { name: data.words['integrated-model.medical-with-care'], value: value('integrated-medical-with-care') },
    ]);
  },
  partnership(element) {
    const all = value('elderly-care-institutions');
    const withPartner = value('care-homes-with-partnership');
    pie(element, [
      { name: data.words['Chart.With'], value: withPartner },
      { name: data.words['Chart.Without'], value: Math.max(all - withPartner, 0) },
    ]);
  },
  clinics(element) {
    const all = value('elderly-care-institutions');
    const clinics = value('care-homes-with-internal-clinic');
    draw(element, {
      grid: { left: 60, right: 20, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: [data.labels['elderly-care-institutions'], data.labels['care-homes-with-internal-clinic'], data.words['Chart.Designated']],
               axisLabel: { interval: 0, width: 110, overflow: 'break' } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: [all, clinics, value('insurance-designated-internal-clinics')], label: { show: true, position: 'top' } }],
    });
  },
  // Beds per 1,000 elders at each year end and on the day shown (the trend's own series).
  async beds(element) {
    const trend = await trendOf(element);
    const values = trend ? trend.series['elderly-care-beds-per-1000-elders'] || [] : [];
    if (!values.some((v) => typeof v === 'number')) {
      element.textContent = data.words['Overview.NoPopulation'];
      element.classList.add('chart-empty');
      return;
    }
    draw(element, {
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 20, top: 30, bottom: 40 },
      xAxis: { type: 'category', data: trend.dates },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: values, label: { show: true, position: 'top' } }],
    });
  },
  async trend(element) {
    const trend = await trendOf(element);
    if (!trend) return;
    const keys = Object.keys(trend.series);
    const shown = new Set(['elderly-care-institutions', 'integrated-institutions', 'care-homes-with-partnership', 'care-homes-with-internal-clinic', 'elderly-care-beds-per-1000-elders']);
    draw(element, {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0, selected: Object.fromEntries(keys.map((k) => [label(k), shown.has(k)])) },
      grid: { left: 60, right: 30, top: 20, bottom: 70 },
      xAxis: { type: 'category', data: trend.dates },
      yAxis: { type: 'value' },
      series: keys.map((k) => ({ name: label(k), type: 'line', data: trend.series[k], connectNulls: true })),
    });
  },
};

// One request for the trend, shared by the charts that draw from it.
const trends = {};
function trendOf(element) {
  const url = element.dataset.source;
  if (!trends[url]) {
    trends[url] = fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
  }
  return trends[url];
}

function label(key) {
  return (data.labels[key] || key).trim();
}

if (data) {
  const area = document.getElementById('charts');
  if (area) area.hidden = false;
  for (const element of document.querySelectorAll('[data-chart]')) {
    const make = charts[element.dataset.chart];
    if (make) make(element);
  }
}
