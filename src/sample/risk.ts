import type { OomScoreScale, ProcessSample } from '../model/snapshot.js';

/** What the kernel counts against a process (oom_badness): resident memory, its swap and its page tables. */
export const usageBytes = (p: Pick<ProcessSample, 'rssBytes' | 'swapBytes' | 'pageTablesBytes'>): number =>
  p.rssBytes + p.swapBytes + p.pageTablesBytes;

/**
 * oom_score has two scales (DESIGN.md "oom_score has two scales").
 * Up to 5.8: oom_score = badness * 1000 / totalpages (idle processes read 0).
 * Since 5.9 (commit 9066e5cfb73c): oom_score = (1000 + badness * 1000 / totalpages) * 2 / 3 (idle adj 0 reads 666).
 * `risk` is the badness as per mille of RAM+swap, adj included: new scale 1.5*s - 1000, old scale s.
 * Thresholds in config are on risk, never on the raw score.
 */
export function riskFromOomScore(oomScore: number, scale: OomScoreScale): number {
  // The kernel prints floor((1000 + b) * 2 / 3), so one score covers one or two values of b (666 ← b ∈ {-1, 0});
  // take the upper one, so that an idle process with adj 0 reads 0 rather than -1.
  // 0 means unkillable (adj -1000 or a kernel-protected task): the bottom of the scale. The top is 2000 ‰ (adj 1000 + all memory).
  if (scale === 'old') return oomScore;
  return oomScore <= 0 ? -1000 : Math.min(2000, Math.floor((3 * oomScore + 2) / 2) - 1000);
}

/** The kernel will not pick the process: adj -1000, or a new-scale score of 0 (unkillable). */
export function isImmune(oomScore: number, oomScoreAdj: number, scale: OomScoreScale): boolean {
  return oomScoreAdj === -1000 || (scale === 'new' && oomScore === 0);
}

export interface ScaleEvidence {
  oomScore: number;
  oomScoreAdj: number;
  /** (rss + swap + page tables) * 1000 / (RAM + swap). */
  usagePermille: number;
}

/**
 * Detects the scale at run time from observed processes (vendors backport the change, so the kernel
 * version is not enough): each process votes for the formula that predicts its score better.
 * Returns null when no process gives evidence (then fall back to the kernel version).
 */
export function detectScale(evidence: readonly ScaleEvidence[]): OomScoreScale | null {
  let votesNew = 0;
  let votesOld = 0;
  for (const e of evidence) {
    if (e.oomScoreAdj === -1000) continue;
    const badness = e.usagePermille + e.oomScoreAdj;
    const predNew = Math.max(0, Math.floor(((1000 + badness) * 2) / 3));
    const predOld = Math.max(0, Math.min(1000, badness));
    const dNew = Math.abs(e.oomScore - predNew);
    const dOld = Math.abs(e.oomScore - predOld);
    if (Math.abs(dNew - dOld) < 50) continue; // not decisive
    if (dNew < dOld) votesNew++;
    else votesOld++;
  }
  if (votesNew === votesOld) return null;
  return votesNew > votesOld ? 'new' : 'old';
}

/** Fallback when no process gives evidence: the formula changed in Linux 5.9. */
export function scaleFromKernelRelease(release: string): OomScoreScale {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return 'new';
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > 5 || (maj === 5 && min >= 9) ? 'new' : 'old';
}
