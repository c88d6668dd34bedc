import type { HostMemory, ProcessSample } from '../model/snapshot.js';
import { usageBytes } from '../sample/risk.js';
import { formatBytes } from '../util/format.js';
import { OOM_SCORE_ADJ_MIN, formatPct } from './levels.js';

/**
 * What an oom_score_adj means on this host, in plain words. Pure.
 *
 * Host-wide (global) OOM: the kernel picks the highest badness = rss + swap + page tables + adj * total / 1000,
 * total = RAM + swap (mm/oom_kill.c oom_badness(); DESIGN.md "oom_score_adj"). Processes with adj -1000 and init
 * are never chosen. Inside a memory cgroup the same adj is scaled by the cgroup's limit instead; this ranks
 * the host domain, the one a host-wide OOM uses.
 */

export type Usage = Pick<ProcessSample, 'pid' | 'rssBytes' | 'swapBytes' | 'pageTablesBytes'>;

export const hostTotalBytes = (m: Pick<HostMemory, 'memTotalBytes' | 'swapTotalBytes'>): number => m.memTotalBytes + m.swapTotalBytes;

export const badnessBytes = (p: Usage, adj: number, totalBytes: number): number => usageBytes(p) + (adj * totalBytes) / 1000;

/** Never chosen by the kernel: adj -1000, or init (is_global_init() in oom_evaluate_task()). */
export const isUnkillable = (pid: number, adj: number): boolean => adj === OOM_SCORE_ADJ_MIN || pid === 1;

/** A host ranking: per pid, its place (1 = chosen first) among the killable processes, or null when never chosen. */
export function rankHost(
  processes: readonly Usage[],
  adjOf: (p: Usage) => number,
  totalBytes: number,
): { rankOf: Map<number, number | null>; killable: number } {
  const scored = processes
    .map((p) => ({ pid: p.pid, adj: adjOf(p), badness: badnessBytes(p, adjOf(p), totalBytes) }))
    .filter((s) => !isUnkillable(s.pid, s.adj))
    .sort((a, b) => b.badness - a.badness);
  const rankOf = new Map<number, number | null>();
  for (const p of processes) rankOf.set(p.pid, null);
  // Equal badness shares a rank (the kernel keeps the first it met, which depends on task list order).
  let rank = 0;
  let prev = Number.NaN;
  scored.forEach((s, i) => {
    if (s.badness !== prev) rank = i + 1;
    prev = s.badness;
    rankOf.set(s.pid, rank);
  });
  return { rankOf, killable: scored.length };
}

export interface Effect {
  /** adj * total / 1000: negative is discounted, positive added. */
  adjustmentBytes: number;
  totalBytes: number;
  usageBytes: number;
  /** 1 = the host's next victim; null = never chosen. */
  rankBefore: number | null;
  rankAfter: number | null;
  /** Processes the kernel could choose after the plan. */
  killableAfter: number;
  text: string;
}

/** "12 GiB" rather than "12.0 GiB": estimates read better without a trailing .0. */
export const formatRoundBytes = (bytes: number): string => formatBytes(bytes).replace('.0 ', ' ');

/** 1 → "1st", 12 → "12th", 22 → "22nd". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * @example describeEffect(-500, 12 GiB, …) // "-500: the kernel discounts 50 % of RAM+swap from this process, about
 *   12 GiB here; it would now rank 14th instead of 2nd"
 */
export function describeEffect(
  targetAdj: number,
  totalBytes: number,
  rankBefore: number | null,
  rankAfter: number | null,
  killableAfter: number,
): string {
  const amount = formatRoundBytes(Math.abs((targetAdj * totalBytes) / 1000));
  const pct = formatPct(Math.abs(targetAdj) / 10);
  let what: string;
  if (targetAdj === OOM_SCORE_ADJ_MIN) what = 'immune: the kernel never chooses this process, however much memory it uses';
  else if (targetAdj === 0) what = 'neutral: the kernel ranks this process by its own memory use';
  else if (targetAdj < 0) what = `the kernel discounts ${pct} % of RAM+swap from this process, about ${amount} here`;
  else what = `the kernel adds ${pct} % of RAM+swap to this process, about ${amount} here`;
  return `${targetAdj}: ${what}; ${describeRankChange(rankBefore, rankAfter, killableAfter)}`;
}

function describeRankChange(before: number | null, after: number | null, killable: number): string {
  const of = `of ${killable}`;
  if (after === null) return before === null ? 'it stays out of the ranking' : `it would never be chosen (it ranks ${ordinal(before)} now)`;
  if (before === null) return `it would now rank ${ordinal(after)} ${of} (it was never chosen before)`;
  if (before === after) return `it would still rank ${ordinal(after)} ${of}`;
  return `it would now rank ${ordinal(after)} ${of} instead of ${ordinal(before)}`;
}
