/**
 * A report as a small document: headings, paragraphs, lists, tables and charts. The incident and daily
 * reports are built into this once (incident-doc.ts, daily-doc.ts) and each format renders it
 * (render-text.ts, render-markdown.ts, render-html.ts), so the formats cannot drift apart. Every string
 * here is raw text, possibly untrusted: renderers escape all of it, and no string carries markup.
 */
import { formatInZone } from '../util/format.js';

export type Unit = 'bytes' | 'permille' | 'percent';

export interface ChartSeries {
  name: string;
  values: readonly (number | null)[];
  /** Highlight (the victim, the culprit). */
  emphasis?: boolean;
}

export interface Chart {
  title: string;
  unit: Unit;
  startMs: number;
  bucketMs: number;
  series: ChartSeries[];
  /** A horizontal line (a limit). */
  limit?: { label: string; value: number };
  /** Fixed top of the scale (e.g. MemTotal). */
  max?: number;
}

export interface TableBlock {
  kind: 'table';
  headers: string[];
  /** Right-aligned columns (numbers). */
  right?: number[];
  rows: string[][];
  /** "and 12 more" under the table. */
  more?: string;
}

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'para'; text: string }
  | { kind: 'list'; items: string[] }
  | TableBlock
  | { kind: 'chart'; chart: Chart };

export interface Doc {
  title: string;
  subtitle: string;
  blocks: Block[];
}

/** "2026-11-26 06:00:55 UTC" in the report's zone. */
export const at = (ms: number | null, tz: string): string => (ms === null ? 'unknown time' : formatInZone(ms, tz));

/** "06:00:55" in the report's zone. */
export function clock(ms: number, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(
    new Date(ms),
  );
}
