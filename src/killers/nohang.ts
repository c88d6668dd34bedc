/**
 * nohang's corrective actions (hakavlad/nohang src/nohang, 0.2): a block of lines, one journal entry each when it runs
 * as a service (its multi-line messages are split on newlines):
 *   Memory status that requires corrective actions:
 *     MemAvailable [310 MiB, 4.0 %] <= hard_threshold_min_mem [310 MiB, 4.0 %]
 *     SwapFree [0 MiB, 0.0 %] <= hard_threshold_min_swap [0 MiB, 0 %]
 *   Victim status (found in 6ms):
 *     PID:       12345, name: stress, state: R (running), EUID: 1000, SID: 812 (bash), lifetime: 4.1s
 *     badness:   912, oom_score:  912, oom_score_adj:  0
 *   Implementing a corrective action:
 *     Sending SIGKILL to the victim
 * and in early versions (0.1):
 *   * MemAvailable (342 MiB, 5.8 %) < mem_min_sigkill (353 MiB, 6.0 %)
 *     Preventing OOM: trying to send the SIGKILL signal to stress,
 *     Pid: 9841, Badness: 87, VmRSS: 513 MiB, VmSwap: 0 MiB
 * Stateful, pure.
 */
import type { KillerDraft } from './draft.js';

const VICTIM_RE = /^PID:\s+(\d+), name: (.*?), state: (?:.*?, EUID: (\d+)|.*)/;
const BADNESS_RE = /^badness:\s+(-?\d+), oom_score:\s+(\d+), oom_score_adj:\s+(-?\d+)/;
const SEND_RE = /^Sending (SIG\w+) to the victim/;
const OLD_SEND_RE = /^Preventing OOM: trying to send the (SIG\w+) signal to (.*?),?$/;
const OLD_VICTIM_RE = /^Pid: (\d+), Badness: (-?\d+), VmRSS: (\d+) MiB/;

export class NohangParser {
  private memory: string[] = [];
  private inMemory = false;
  private victim: { pid: number; comm: string; uid: number | null; adj: number | null; badness: string | null } | null = null;
  private oldSignal: { signal: string; comm: string } | null = null;
  private lines: string[] = [];

  push(raw: string): KillerDraft | null {
    const text = raw.replace(/^\*\s*/, '').trim();
    if (!text) return null;
    if (text.startsWith('Memory status that requires corrective action')) {
      this.memory = [];
      this.inMemory = true;
      this.lines = [text];
      this.victim = null;
      return null;
    }
    if (/^(MemAvailable|SwapFree|MemUsedZram|PSI)\b.*(<=|>=|<|>)/.test(text)) {
      if (!this.inMemory) {
        this.memory = [];
        this.lines = [];
        this.inMemory = true;
      }
      this.memory.push(text.replace(/\s+/g, ' '));
      this.lines.push(text);
      return null;
    }
    this.inMemory = false;
    const v = VICTIM_RE.exec(text);
    if (v) {
      this.victim = { pid: Number(v[1]), comm: v[2], uid: v[3] === undefined ? null : Number(v[3]), adj: null, badness: null };
      this.lines.push(text);
      return null;
    }
    const b = BADNESS_RE.exec(text);
    if (b && this.victim) {
      this.victim.badness = b[1];
      this.victim.adj = Number(b[3]);
      this.lines.push(text);
      return null;
    }
    if (text.startsWith('Victim status') || text.startsWith('Implement')) {
      this.lines.push(text);
      return null;
    }
    const s = SEND_RE.exec(text);
    if (s) {
      this.lines.push(text);
      if (!this.victim) return this.take({ killer: 'nohang', reason: null, victim: null, lines: this.lines, unparsed: true });
      const v2 = this.victim;
      return this.take({
        killer: 'nohang',
        reason: [s[1], v2.badness !== null ? `badness ${v2.badness}` : null, ...this.memory].filter(Boolean).join('; '),
        victim: { pid: v2.pid, comm: v2.comm, uid: v2.uid, oomScoreAdj: v2.adj },
        lines: this.lines,
      });
    }
    const o = OLD_SEND_RE.exec(text);
    if (o) {
      this.oldSignal = { signal: o[1], comm: o[2] };
      this.lines.push(text);
      return null;
    }
    const ov = OLD_VICTIM_RE.exec(text);
    if (ov && this.oldSignal) {
      this.lines.push(text);
      const sig = this.oldSignal;
      this.oldSignal = null;
      return this.take({
        killer: 'nohang',
        reason: [sig.signal, `badness ${ov[2]}`, `VmRSS ${ov[3]} MiB`, ...this.memory].join('; '),
        victim: { pid: Number(ov[1]), comm: sig.comm },
        lines: this.lines,
      });
    }
    return null;
  }

  private take(d: KillerDraft): KillerDraft {
    this.memory = [];
    this.victim = null;
    this.lines = [];
    return d;
  }
}
