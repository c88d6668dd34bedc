/**
 * earlyoom's lines (rfjakob/earlyoom kill.c, main.c; the fields after the name changed across versions):
 *   1.2–1.7   sending SIGTERM to process 1985588 uid 1000 "(sd-pam)": badness 733, VmRSS 3 MiB
 *   1.8       sending SIGTERM to process 4042 uid 1000 "firefox": oom_score 812, VmRSS 2563 MiB, cmdline "/usr/lib/firefox/firefox"
 *   1.8.x     … "name": oom_score 812, oom_score_adj 0, VmRSS 2563 MiB, cmdline "…"
 * and before them the state that made it kill:
 *   mem avail:   154 of  7836 MiB ( 1.97%), swap free:    0 of    0 MiB ( 0.00%)
 *   low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%
 * SIGTERM is followed by SIGKILL when the victim lingers: one kill. `earlyoom --dryrun` prints the same lines and
 * kills nothing: it says "dryrun mode enabled, will not kill anything" at start (until the next "earlyoom vX" start
 * line its "sending" lines are no kills) and "dryrun, not actually sending any signal" after each.
 * Stateful (the last memory state, dry run or not), but pure.
 */
import type { KillerDraft } from './draft.js';

const SEND_RE = /^sending (SIG\w+|\d+|0 \(no-op signal\)) to process (\d+)(?: uid (\d+))? "(.*)": (.*)$/;
// "low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%" (1.6+); before: "Low Memory! At or below SIGTERM limits (mem: 10 %, swap: 10 %)".
const LOW_RE = /^low memory! at or below (SIG\w+) limits:? ?(.*)$/i;
const AVAIL_RE = /^mem avail:/;
/** A SIGKILL for the same pid within this long after its SIGTERM is the same kill. */
const ESCALATION_MS = 30_000;

export class EarlyoomParser {
  private state: string | null = null;
  private limits: string | null = null;
  private last: { pid: number; atMs: number | null } | null = null;
  private dryRun = false;

  /** One message; a kill draft when it says earlyoom signalled a process. */
  push(text: string, atMs: number | null): KillerDraft | null {
    if (/^earlyoom v\d/.test(text)) {
      this.dryRun = false; // a new start
      return null;
    }
    if (/^dryrun(?: mode enabled|, not actually sending)/.test(text)) {
      this.dryRun = true;
      return null;
    }
    if (AVAIL_RE.test(text)) {
      this.state = text.replace(/\s+/g, ' ').trim();
      return null;
    }
    const low = LOW_RE.exec(text);
    if (low) {
      const values = low[2].replace(/^\((.*)\)$/, '$1');
      this.limits = `at or below ${low[1]} limits${values ? `: ${values}` : ''}`;
      return null;
    }
    const m = SEND_RE.exec(text);
    if (!m) {
      // Only a line about a process is a kill; "sending SIGTERM when mem <= 10.00% …" at start is its configuration.
      if (/^sending SIG\w+ to process\b/.test(text) || /^Killing process\b/.test(text))
        return { killer: 'earlyoom', reason: null, victim: null, lines: [text], unparsed: true };
      return null;
    }
    if (m[1].startsWith('0') || this.dryRun) return null; // the startup self-test, or a dry run: no signal sent
    const pid = Number(m[2]);
    const same = this.last?.pid === pid && (atMs === null || this.last.atMs === null || atMs - this.last.atMs <= ESCALATION_MS);
    this.last = { pid, atMs };
    if (same && m[1] !== 'SIGTERM') return null; // the escalation of the kill already told
    const fields = m[5];
    const field = (name: string): number | null => {
      const f = new RegExp(`(?:^|, )${name} (-?\\d+)`).exec(fields);
      return f ? Number(f[1]) : null;
    };
    const rssMib = /VmRSS (\d+) MiB/.exec(fields)?.[1];
    const score = field('badness') ?? field('oom_score');
    const parts = [
      `${m[1]}`,
      score !== null ? `${fields.includes('badness') ? 'badness' : 'oom_score'} ${score}` : null,
      rssMib !== undefined ? `VmRSS ${rssMib} MiB` : null,
      this.limits,
      this.state,
    ].filter(Boolean);
    const lines = [this.state, this.limits ? `low memory! ${this.limits}` : null, text].filter((l): l is string => l !== null);
    this.state = null;
    this.limits = null;
    return {
      killer: 'earlyoom',
      reason: parts.join('; '),
      victim: { pid, comm: m[4], uid: m[3] === undefined ? null : Number(m[3]), oomScoreAdj: field('oom_score_adj') },
      lines,
    };
  }
}
