/**
 * Named protection levels and the legacy oom_adj scale. Pure.
 *
 * The kernel ranks OOM victims by badness = rss + swap + page tables + oom_score_adj * totalpages / 1000
 * (mm/oom_kill.c oom_badness()), so an adj of -N discounts N/10 % of RAM+swap from the process, and +N adds it.
 * -1000 is special: the process is never chosen (OOM_SCORE_ADJ_MIN, include/uapi/linux/oom.h).
 */

export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;

/** The values behind the level names, with the reason each was chosen (docs/protection.md repeats them). */
export const LEVELS = {
  /** Never chosen by the OOM killer. Only for small, trusted processes: if it leaks, the kernel kills everything else first. */
  immune: -1000,
  /**
   * Discounts 90 % of RAM+swap: chosen only when it alone uses more than 90 % of memory plus what the next candidate
   * uses, i.e. practically last, yet a runaway leak in it can still be stopped (unlike immune).
   */
  protect: -900,
  /** Discounts half of RAM+swap: a process that should outlive ordinary workloads (databases next to batch jobs). */
  'prefer-keep': -500,
  /** The kernel's default: ranked by its own usage. */
  neutral: 0,
  /** Adds half of RAM+swap: chosen before any neutral process that uses less than half of memory. */
  'prefer-kill': 500,
  /** Adds all of RAM+swap: chosen first (OOM_SCORE_ADJ_MAX). Browsers' own renderers use values up to this. */
  'kill-first': 1000,
} as const satisfies Record<string, number>;

export type LevelName = keyof typeof LEVELS;
export const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[];

export const isLevelName = (s: string): s is LevelName => Object.hasOwn(LEVELS, s);

/** The legacy /proc/PID/oom_adj range (include/uapi/linux/oom.h: OOM_DISABLE -17, OOM_ADJUST_MIN -16, OOM_ADJUST_MAX 15). */
export const LEGACY_MIN = -17;
export const LEGACY_MAX = 15;

/**
 * Translates a legacy oom_adj value to the oom_score_adj scale as the kernel does (fs/proc/base.c oom_adj_write()):
 * -17 (OOM_DISABLE) → -1000, otherwise adj * 1000 / 17 truncated toward zero.
 * @example translateLegacyOomAdj(-17) // -1000
 * @example translateLegacyOomAdj(15)  // 882
 */
export function translateLegacyOomAdj(oomAdj: number): number {
  if (oomAdj === LEGACY_MIN) return OOM_SCORE_ADJ_MIN;
  return Math.trunc((oomAdj * OOM_SCORE_ADJ_MAX) / 17);
}

/**
 * Whether an oom_score_adj value looks like it was written on the legacy oom_adj scale. Our rule: any non-zero
 * value in -17..15. On the real scale such a value moves the process by under 2 % of RAM+swap, which is nearly
 * nothing, so it is far more likely a copy of old advice (`echo -17 > oom_adj`) than an intended nudge.
 */
export const looksLegacy = (adj: number): boolean => adj !== 0 && adj >= LEGACY_MIN && adj <= LEGACY_MAX;

/** The message for a value on the legacy scale: what it means, the translation, and what to write instead. */
export function legacyValueMessage(adj: number, key: 'oomScoreAdj' | 'agentOomScoreAdj' | 'oomAdj' | '--adj'): string {
  const translated = translateLegacyOomAdj(adj);
  const level = Object.entries(LEVELS).find(([, v]) => v === translated)?.[0];
  const pct = ((Math.abs(adj) / 1000) * 100).toFixed(1);
  const onNewScale =
    key === 'oomAdj'
      ? `oomAdj is the legacy oom_adj scale (-17..15), deprecated since Linux 2.6.36`
      : `${adj} looks like a legacy oom_adj value (-17..15); on the oom_score_adj scale (-1000..1000) it would ` +
        `${adj < 0 ? 'discount' : 'add'} only ${pct} % of RAM+swap, which is nearly no ${adj < 0 ? 'protection' : 'effect'}`;
  if (key === 'agentOomScoreAdj') {
    // The agent must outlive what it watches, yet stay killable if it leaks: never immune.
    return `${onNewScale}. Write agentOomScoreAdj: -900 (level: protect) instead, or null to leave the agent's value alone.`;
  }
  const fix = key === '--adj' ? `--adj ${translated}` : `oomScoreAdj: ${translated}`;
  return (
    `${onNewScale}. On the legacy scale ${adj} translates to ${translated} (adj * 1000 / 17, -17 → -1000). ` +
    `Write ${fix}${level ? ` (or level: ${level})` : ''} instead; for a small nudge use a value outside -17..15.`
  );
}

/** Plain words for what a value makes the kernel do, without host sizes (for config comments and errors). */
export function describeAdj(adj: number): string {
  if (adj === OOM_SCORE_ADJ_MIN) return 'immune: the kernel never chooses it';
  if (adj === 0) return 'neutral: ranked by its own memory use';
  const pct = formatPct(Math.abs(adj) / 10);
  return adj < 0 ? `the kernel discounts ${pct} % of RAM+swap from it` : `the kernel adds ${pct} % of RAM+swap to it`;
}

export const formatPct = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));
