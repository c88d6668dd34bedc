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
  const header = [`--- ${oldText === null ? '/dev/null' : oldName}`, `+++ ${newName}`, `@@ -${range(a.length ? 1 : 0, a.length)} +${range(b.length ? 1 : 0, b.length)} @@`];
  return [...header, ...ops.map((o) => `${o.op}${o.line}`)].join('\n') + '\n';
}

function splitLines(s: string): string[] {
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Longest-common-subsequence line diff. */
function diffLines(a: readonly string[], b: readonly string[]): { op: ' ' | '-' | '+'; line: string }[] {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: { op: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', line: a[i] });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: '-', line: a[i++] }); // deletions before additions, as diff -u prints them
    } else {
      out.push({ op: '+', line: b[j++] });
    }
  }
  return out;
}
