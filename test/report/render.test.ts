/** Each format escapes untrusted text once, at its edge: terminals, Markdown tables, HTML. */
import { describe, expect, it } from 'vitest';
import type { Doc } from '../../src/report/doc.js';
import { renderDocHtml } from '../../src/report/render-html.js';
import { escapeMarkdown, renderDocMarkdown } from '../../src/report/render-markdown.js';
import { renderDocText } from '../../src/report/render-text.js';

const EVIL = 'x\u001b[2J\u001b]0;pwned\u0007|*y*\u202e<b>&amp;';
const doc: Doc = {
  title: `report for ${EVIL}`,
  subtitle: 'window',
  blocks: [
    { kind: 'heading', text: EVIL },
    { kind: 'para', text: EVIL },
    { kind: 'list', items: [EVIL] },
    { kind: 'table', headers: ['PID', 'COMM'], right: [0], rows: [['1', EVIL]], more: `and 1 more ${EVIL}` },
    {
      kind: 'chart',
      chart: {
        title: EVIL,
        unit: 'bytes',
        startMs: 0,
        bucketMs: 1000,
        series: [{ name: EVIL, values: [1, null, 3] }],
        limit: { label: EVIL, value: 4 },
      },
    },
  ],
};

describe('escaping at each output edge', () => {
  it('text: no control or bidi characters reach the terminal', () => {
    const out = renderDocText(doc);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(out).toContain('x\uFFFD[2J');
  });

  it('markdown: a name cannot break a table, emphasise, or inject HTML', () => {
    expect(escapeMarkdown('*a*|<b>_c_ [l](u) `x` &')).toBe('\\*a\\*\\|&lt;b&gt;\\_c\\_ \\[l\\](u) \\`x\\` &amp;');
    const md = renderDocMarkdown(doc);
    const row = md.split('\n').find((l) => l.startsWith('| 1 |'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(4); // | 1 | name | → two cells
    expect(md).not.toContain('<b>');
    expect(md).not.toContain('\u001b');
  });

  it('html: every string is text (including SVG titles and legends)', () => {
    for (const charts of ['svg', 'table'] as const) {
      const html = renderDocHtml(doc, { charts, timeZone: 'UTC' });
      expect(html).not.toContain('<b>');
      expect(html).toContain('&lt;b&gt;&amp;amp;');
      expect(html).not.toContain('\u001b');
    }
  });
});
