import { sanitizeTerminal } from './escape.js';

export interface Column<T> {
  header: string;
  get: (row: T) => string | number | null | undefined;
  align?: 'left' | 'right';
  /** Maximum width; longer cells are cut with "…". */
  max?: number;
}

/** Renders rows as an aligned text table. Cells are sanitised for terminals (untrusted process names). */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const v = c.get(r);
      let s = v === null || v === undefined ? '-' : sanitizeTerminal(String(v));
      if (c.max && s.length > c.max) s = `${s.slice(0, c.max - 1)}…`;
      return s;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const fmt = (vals: string[]) =>
    vals
      .map((v, i) => (columns[i].align === 'right' ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(columns.map((c) => c.header)), ...cells.map(fmt)].join('\n');
}
