/**
 * Inline SVG line charts for the HTML report (one self-contained file: no scripts, no external assets).
 * Pure; series names are escaped here, at the output edge.
 */
import { escapeHtml } from '../util/escape.js';
import type { Chart } from './doc.js';
import { formatValue } from './render-text.js';

const W = 640;
const H = 180;
const PAD = { l: 64, r: 12, t: 12, b: 22 };
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];

export function renderSvgChart(c: Chart, clockOf: (ms: number) => string): string {
  const n = Math.max(1, ...c.series.map((x) => x.values.length));
  const all = c.series.flatMap((x) => x.values).filter((v): v is number => v !== null);
  const hi = Math.max(c.max ?? 0, c.limit?.value ?? 0, ...all, 1);
  const x = (i: number) => PAD.l + (n === 1 ? 0 : (i * (W - PAD.l - PAD.r)) / (n - 1));
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / hi);
  const paths = c.series.map((s, k) => {
    let d = '';
    const dots: string[] = [];
    const colour = s.emphasis ? '#d62728' : COLOURS[k % COLOURS.length];
    const isSet = (i: number) => i >= 0 && i < s.values.length && s.values[i] !== null;
    s.values.forEach((v, i) => {
      if (v === null) return;
      d += `${isSet(i - 1) ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      // A point with no neighbour draws no line (a process that lived for one sample, a kill within a
      // minute of the start): it gets a dot, or the chart would look empty.
      if (!isSet(i - 1) && !isSet(i + 1))
        dots.push(
          `<circle class="point" cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="${s.emphasis ? 3.5 : 3}" fill="${colour}"><title>${escapeHtml(s.name)}</title></circle>`,
        );
    });
    const line = d
      ? `<path class="series" d="${d.trim()}" fill="none" stroke="${colour}" stroke-width="${s.emphasis ? 2.5 : 1.5}"><title>${escapeHtml(s.name)}</title></path>`
      : '';
    return line + dots.join('');
  });
  const grid = [0, 0.5, 1].map((f) => {
    const v = hi * f;
    return `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/><text x="${PAD.l - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${escapeHtml(formatValue(v, c.unit))}</text>`;
  });
  const limit = c.limit
    ? `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(c.limit.value).toFixed(1)}" y2="${y(c.limit.value).toFixed(1)}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${W - PAD.r}" y="${(y(c.limit.value) - 3).toFixed(1)}" text-anchor="end" font-size="10" fill="#d62728">${escapeHtml(c.limit.label)}</text>`
    : '';
  const endMs = c.startMs + n * c.bucketMs;
  const axis = `<text x="${PAD.l}" y="${H - 6}" font-size="10">${escapeHtml(clockOf(c.startMs))}</text><text x="${W - PAD.r}" y="${H - 6}" font-size="10" text-anchor="end">${escapeHtml(clockOf(endMs))}</text>`;
  const legend = c.series
    .map((s, k) => `<span style="color:${s.emphasis ? '#d62728' : COLOURS[k % COLOURS.length]}">■</span> ${escapeHtml(s.name)}`)
    .join(' &nbsp; ');
  return (
    `<figure class="chart"><figcaption>${escapeHtml(c.title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(c.title)}">` +
    `${grid.join('')}${limit}${paths.join('')}${axis}</svg><div class="legend">${legend}</div></figure>`
  );
}

/**
 * An email-safe chart: one table row per series with its latest value as a bar of table cells (mail
 * clients drop SVG and scripts), plus a row of per-bucket cells coloured by level.
 */
export function renderTableChart(c: Chart): string {
  const all = c.series.flatMap((x) => x.values).filter((v): v is number => v !== null);
  const hi = Math.max(c.max ?? 0, c.limit?.value ?? 0, ...all, 1);
  const rows = c.series.map((s) => {
    const cells = s.values
      .map((v) => {
        const f = v === null ? 0 : Math.max(0, Math.min(1, v / hi));
        const h = Math.max(1, Math.round(f * 28));
        const colour = v === null ? '#ffffff' : s.emphasis ? '#d62728' : f > 0.9 ? '#e6550d' : '#3182bd';
        return `<td valign="bottom" style="padding:0 1px"><div style="width:6px;height:${h}px;background:${colour};font-size:1px;line-height:1px">&nbsp;</div></td>`;
      })
      .join('');
    const vals = s.values.filter((v): v is number => v !== null);
    const last = vals.length ? formatValue(vals[vals.length - 1], c.unit) : '-';
    return `<tr><td style="padding:2px 8px 2px 0;font-size:12px;white-space:nowrap">${escapeHtml(s.name)}</td><td><table role="presentation" cellpadding="0" cellspacing="0" style="height:30px"><tr>${cells}</tr></table></td><td style="padding-left:8px;font-size:12px;white-space:nowrap">${escapeHtml(last)}</td></tr>`;
  });
  return (
    `<p style="margin:12px 0 4px 0;font-weight:bold;font-size:13px">${escapeHtml(c.title)} <span style="font-weight:normal;color:#777">(scale 0..${escapeHtml(formatValue(hi, c.unit))})</span></p>` +
    `<table role="presentation" class="bars" cellpadding="0" cellspacing="0">${rows.join('')}</table>`
  );
}
