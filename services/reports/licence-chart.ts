import type { LicenceReading } from '../licences/licence-history.js';
import { escapeHtml } from '../notify/templates.js';

/*
 * Used seats over time as an SVG line chart: one line per application, its seat count as a
 * dashed line of the same colour (none for unlimited seats). Plain SVG, no script.
 */

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const WIDTH = 720;
const HEIGHT = 320;
const PAD = { left: 56, right: 16, top: 36, bottom: 40 };

export function licenceChartSvg(history: readonly LicenceReading[], title = 'Used seats over time'): string {
  const byApp = new Map<string, LicenceReading[]>();
  for (const reading of history) {
    const list = byApp.get(reading.application) ?? [];
    list.push(reading);
    byApp.set(reading.application, list);
  }
  const times = history.map((r) => Date.parse(r.at));
  const t0 = times.length > 0 ? Math.min(...times) : 0;
  const t1 = times.length > 0 ? Math.max(...times) : 1;
  const top = Math.max(1, ...history.map((r) => Math.max(r.used, r.seats ?? 0)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (at: string) => PAD.left + (t1 === t0 ? plotW / 2 : ((Date.parse(at) - t0) / (t1 - t0)) * plotW);
  const y = (value: number) => PAD.top + plotH - (value / top) * plotH;
  const f = (n: number) => n.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="20" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`,
    `<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="#333"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" stroke="#333"/>`,
    `<text x="${PAD.left - 6}" y="${f(y(top) + 4)}" text-anchor="end">${top}</text>`,
    `<text x="${PAD.left - 6}" y="${f(y(0) + 4)}" text-anchor="end">0</text>`,
  ];
  if (history.length === 0) {
    parts.push(
      `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no licence check recorded yet</text>`,
    );
  } else {
    parts.push(
      `<text x="${PAD.left}" y="${HEIGHT - 14}">${escapeHtml(new Date(t0).toISOString().slice(0, 16))}Z</text>`,
      `<text x="${PAD.left + plotW}" y="${HEIGHT - 14}" text-anchor="end">${escapeHtml(new Date(t1).toISOString().slice(0, 16))}Z</text>`,
    );
  }
  [...byApp.entries()].forEach(([application, readings], i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const used = readings.map((r) => `${f(x(r.at))},${f(y(r.used))}`).join(' ');
    parts.push(
      `<polyline data-application="${escapeHtml(application)}" fill="none" stroke="${colour}" stroke-width="2" points="${used}"/>`,
    );
    const limited = readings.filter((r) => r.seats !== null);
    if (limited.length > 0) {
      const seats = limited.map((r) => `${f(x(r.at))},${f(y(r.seats!))}`).join(' ');
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-dasharray="4 3" stroke-width="1" points="${seats}"/>`,
      );
    }
    const last = readings[readings.length - 1]!;
    const label = `${application}: ${last.used}${last.seats === null ? '' : ` of ${last.seats}`} used`;
    parts.push(
      `<text x="${PAD.left + plotW}" y="${PAD.top + 14 * i}" text-anchor="end" fill="${colour}">${escapeHtml(label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
