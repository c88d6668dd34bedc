import { diffLines } from '../util/line-diff.js';

/**
 * A unified diff of two small texts (drop-in files), as `diff -u` prints it. Pure. One hunk spans the whole file:
 * drop-ins are a few lines, and a whole-file hunk is still valid input for patch(1).
 */
export function unifiedDiff(oldText: string | null, newText: string, oldName: string, newName: string): string {
  const a = oldText === null || oldText === '' ? [] : splitLines(oldText);
  const b = splitLines(newText);
  const ops = diffLines(a, b);
  if (ops.every((o) => o.op === ' ')) return '';
  const range = (start: number, len: number) => (len === 0 ? `${start},0` : len === 1 ? `${start}` : `${start},${len}`);
  const header = [
    `--- ${oldText === null ? '/dev/null' : oldName}`,
    `+++ ${newName}`,
    `@@ -${range(a.length ? 1 : 0, a.length)} +${range(b.length ? 1 : 0, b.length)} @@`,
  ];
  return [...header, ...ops.map((o) => `${o.op}${o.line}`)].join('\n') + '\n';
}

function splitLines(s: string): string[] {
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
