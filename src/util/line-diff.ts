export interface LineOp {
  /** ' ' unchanged, '-' only in the old text, '+' only in the new one. */
  op: ' ' | '-' | '+';
  line: string;
}

/**
 * Longest-common-subsequence line diff of two small texts (unit files, drop-ins), deletions before additions as
 * `diff -u` prints them. Pure; callers split the texts and format the result.
 */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: LineOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', line: a[i] });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: '-', line: a[i++] });
    } else {
      out.push({ op: '+', line: b[j++] });
    }
  }
  return out;
}
