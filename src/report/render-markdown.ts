/** Markdown rendering of a report Doc (GitHub-flavoured tables). Pure; every string is escaped. */
import { sanitizeTerminal } from '../util/escape.js';
import { sparkline } from '../util/format.js';
import type { Block, Doc } from './doc.js';
import { formatValue } from './render-text.js';

const MD_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/**
 * Escapes Markdown and inline-HTML syntax so a process name stays text: emphasis, code, links, table
 * pipes, headings, strikethrough, and `<`/`&` (GFM passes inline HTML through).
 * @example escapeMarkdown('*x*|<b>') // '\\*x\\*\\|&lt;b&gt;'
 */
export function escapeMarkdown(text: string): string {
  return sanitizeTerminal(text).replace(/[\\`*_[\]|<>~#&]/g, (c) => MD_ENTITIES[c] ?? `\\${c}`);
}
const e = escapeMarkdown;

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `## ${e(b.text)}`;
    case 'para':
      return e(b.text);
    case 'list':
      return b.items.map((i) => `- ${e(i)}`).join('\n');
    case 'table': {
      const head = `| ${b.headers.map(e).join(' | ')} |`;
      const sep = `|${b.headers.map((_, i) => (b.right?.includes(i) ? ' ---: ' : ' --- ')).join('|')}|`;
      const rows = b.rows.map((r) => `| ${r.map(e).join(' | ')} |`);
      return [head, sep, ...rows].join('\n') + (b.more ? `\n\n_${e(b.more)}_` : '');
    }
    case 'chart': {
      const c = b.chart;
      const hi = Math.max(c.max ?? 0, c.limit?.value ?? 0, ...c.series.flatMap((x) => x.values.filter((v): v is number => v !== null)), 1);
      const lines = c.series.map((x) => {
        const vals = x.values.filter((v): v is number => v !== null);
        const range = vals.length ? `${formatValue(vals[0], c.unit)} → ${formatValue(vals[vals.length - 1], c.unit)}` : 'no data';
        return `| ${e(x.name)}${x.emphasis ? ' ◀' : ''} | \`${sparkline(x.values, 0, hi) || '-'}\` | ${e(range)} |`;
      });
      return [
        `**${e(c.title)}** (scale 0..${e(formatValue(hi, c.unit))}${c.limit ? `, limit ${e(formatValue(c.limit.value, c.unit))}` : ''})`,
        '',
        '| series | trend | first → last |',
        '| --- | --- | --- |',
        ...lines,
      ].join('\n');
    }
  }
}

export function renderDocMarkdown(doc: Doc): string {
  return `# ${e(doc.title)}\n\n${e(doc.subtitle)}\n\n${doc.blocks.map(block).join('\n\n')}\n`;
}
