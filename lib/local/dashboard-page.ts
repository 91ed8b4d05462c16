import type { ServerResponse } from 'node:http';

/** A chart on the local dashboard: a Vigil query drawn as one line per model. */
export interface LocalPanel {
  readonly title: string;
  readonly metric: string;
  readonly stat: string;
  readonly unit: string;
  /** Counts are zero where the API leaves a step out (no events); quantiles are unknown there. */
  readonly zeroWhenEmpty: boolean;
}

/**
 * The local counterpart of the CloudWatch ingest dashboard's per-model row (dashboards/ingest-dashboard.ts):
 * the same three charts, read through `GET /api/v1/query` instead of CloudWatch's EMF metrics.
 */
export const LOCAL_INGEST_PANELS: readonly LocalPanel[] = [
  {
    title: 'Predictions per model',
    metric: 'predictions',
    stat: 'sum',
    unit: 'predictions / min',
    zeroWhenEmpty: true,
  },
  {
    title: 'Prediction errors per model',
    metric: 'errors',
    stat: 'sum',
    unit: 'errors / min',
    zeroWhenEmpty: true,
  },
  { title: 'Latency p95 per model', metric: 'latency_ms', stat: 'p95', unit: 'ms', zeroWhenEmpty: false },
];

/** Renders the dashboard page; the token is the local one, so the page can query the API it is served by. */
export function dashboardHtml(token: string, panels: readonly LocalPanel[] = LOCAL_INGEST_PANELS): string {
  const config = JSON.stringify({ token, panels }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Vigil (local)</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { display: flex; align-items: center; gap: 16px; padding: 12px 20px; background: #1d2330; color: #fff; }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  select { font: inherit; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px; }
  section h2 { font-size: 14px; margin: 0 0 8px; }
  .legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
  .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
  .empty { color: #6b7385; padding: 40px 0; text-align: center; }
  svg text { font-size: 11px; fill: #6b7385; }
</style>
</head>
<body>
<header><h1>Vigil &middot; ingest (local)</h1>
  <label>range <select id="range"><option value="1h">1 hour</option><option value="6h">6 hours</option><option value="24h">24 hours</option></select></label>
  <span id="updated"></span></header>
<main id="panels"></main>
<script>
const { token, panels } = ${config};
const colors = ['#2f6fde', '#e0542c', '#1d9a6c', '#a33fc2', '#d49a00', '#0f8fa8', '#7a8699'];
const steps = { '1h': '1m', '6h': '5m', '24h': '15m' };
const stepMs = { '1h': 60e3, '6h': 300e3, '24h': 900e3 };
function withZeros(points, from, to, step) {
  const byTime = new Map(points.map((p) => [p[0], p[1]]));
  const start = Math.floor(from / 60e3) * 60e3;
  const filled = [];
  for (let t = start; t < to; t += step) filled.push([t, byTime.get(t) ?? 0]);
  return filled;
}
const main = document.getElementById('panels');
const sections = panels.map((panel) => {
  const section = document.createElement('section');
  section.innerHTML = '<h2></h2><div class="chart"></div><div class="legend"></div>';
  section.querySelector('h2').textContent = panel.title + ' (' + panel.unit + ')';
  main.appendChild(section);
  return section;
});
function chart(series, from, to) {
  const width = 560, height = 200, left = 44, bottom = 20;
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  if (values.length === 0) return '<div class="empty">no data in this range</div>';
  const max = Math.max(...values) * 1.1 || 1;
  const x = (t) => left + ((t - from) / (to - from)) * (width - left - 4);
  const y = (v) => (height - bottom) * (1 - v / max) + 4;
  const grid = [0, 0.5, 1].map((f) => '<line x1="' + left + '" x2="' + width + '" y1="' + y(max * f / 1.1) + '" y2="' + y(max * f / 1.1) + '" stroke="#eef0f3"/><text x="2" y="' + (y(max * f / 1.1) + 4) + '">' + (max * f / 1.1).toPrecision(3) + '</text>').join('');
  const lines = series.map((s, i) => '<polyline fill="none" stroke-width="2" stroke="' + colors[i % colors.length] + '" points="' + s.points.map((p) => x(p[0]) + ',' + y(p[1])).join(' ') + '"/>').join('');
  const times = [from, (from + to) / 2, to].map((t, i) => '<text x="' + (i === 0 ? left : i === 1 ? (left + width) / 2 - 16 : width - 36) + '" y="' + (height + 10) + '">' + new Date(t).toTimeString().slice(0, 5) + '</text>').join('');
  return '<svg viewBox="0 0 ' + width + ' ' + (height + 14) + '" width="100%">' + grid + lines + times + '</svg>';
}
async function refresh() {
  const range = document.getElementById('range').value;
  const to = Date.now(), from = to - { '1h': 3600e3, '6h': 21600e3, '24h': 86400e3 }[range];
  await Promise.all(panels.map(async (panel, i) => {
    const query = new URLSearchParams({ metric: panel.metric, stat: panel.stat, from: String(from), to: String(to), step: steps[range] });
    const response = await fetch('/api/v1/query?' + query, { headers: { authorization: 'Bearer ' + token } });
    const body = await response.json();
    const section = sections[i];
    if (!response.ok) { section.querySelector('.chart').textContent = body.error ? body.error.message : response.statusText; return; }
    const series = panel.zeroWhenEmpty
      ? body.series.map((s) => ({ ...s, points: withZeros(s.points, from, to, stepMs[range]) }))
      : body.series;
    section.querySelector('.chart').innerHTML = chart(series, from, to);
    section.querySelector('.legend').innerHTML = body.series.map((s, j) => '<span><i style="background:' + colors[j % colors.length] + '"></i></span>').join('');
    section.querySelectorAll('.legend span').forEach((span, j) => span.append(body.series[j].labels.model || '(no model)'));
  }));
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}
document.getElementById('range').addEventListener('change', refresh);
refresh();
setInterval(refresh, 30000);
</script>
</body>
</html>`;
}

/** Serves the dashboard at `/`; answers false for any other path so the caller can go on. */
export function serveDashboard(path: string, token: string, response: ServerResponse): boolean {
  if (path !== '/' && path !== '/index.html') return false;
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(dashboardHtml(token));
  return true;
}
