/** Plain-text rendering of a report Doc: aligned tables and sparklines, sanitised for terminals. Pure. */
import { sanitizeTerminal } from '../util/escape.js';
import { formatBytes, sparkline } from '../util/format.js';
import { renderTable } from '../util/table.js';
import type { Block, Chart, Doc, Unit } from './doc.js';

const s = sanitizeTerminal;

export function formatValue(v: number | null, unit: Unit): string {
  if (v === null) return '-';
  if (unit === 'bytes') return formatBytes(v);
  if (unit === 'percent') return `${v.toFixed(1)} %`;
  return `${Math.round(v)} ‰`;
}

function chartLines(c: Chart): string[] {
  const all = c.series.flatMap((x) => x.values).filter((v): v is number => v !== null);
  const lo = 0;
  const hi = Math.max(c.max ?? 0, c.limit?.value ?? 0, ...all, 1);
  const width = Math.max(...c.series.map((x) => x.name.length), 4);
  const lines = [`${s(c.title)} (scale 0..${formatValue(hi, c.unit)})`];
  for (const x of c.series) {
    const vals = x.values.filter((v): v is number => v !== null);
    const range = vals.length ? `${formatValue(vals[0], c.unit)} → ${formatValue(vals[vals.length - 1], c.unit)}` : 'no data';
    lines.push(
      `  ${s(x.name).padEnd(width)}  ${sparkline(x.values, lo, hi) || ' '.repeat(x.values.length)}  ${range}${x.emphasis ? '  ◀' : ''}`,
    );
  }
  if (c.limit) lines.push(`  ${'limit'.padEnd(width)}  ${formatValue(c.limit.value, c.unit)} (${s(c.limit.label)})`);
  return lines;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `\n${s(b.text)}\n${'─'.repeat(Math.min(72, b.text.length))}`;
    case 'para':
      return s(b.text);
    case 'list':
      return b.items.map((i) => `  • ${s(i)}`).join('\n');
    case 'table': {
      const cols = b.headers.map((h, i) => ({
        header: h,
        get: (r: string[]) => r[i],
        align: b.right?.includes(i) ? ('right' as const) : ('left' as const),
        max: 40,
      }));
      return renderTable(b.rows, cols) + (b.more ? `\n${s(b.more)}` : '');
    }
    case 'chart':
      return chartLines(b.chart).join('\n');
  }
}

export function renderDocText(doc: Doc): string {
  const head = `${s(doc.title)}\n${s(doc.subtitle)}`;
  return `${head}\n${doc.blocks.map(block).join('\n')}\n`;
}
