/**
 * Every user-space OOM killer's log in one parser (pure, stateful per daemon): feed program lines in order, get the
 * incidents they tell, as OomReports with `killer` and `reason`. Which program is which comes from its log identifier.
 */
import type { Killer, OomReport } from '../model/kernel-report.js';
import { reportOf, type KillerDraft } from './draft.js';
import { EarlyoomParser } from './earlyoom.js';
import { KubeletParser } from './kubelet.js';
import { NohangParser } from './nohang.js';
import type { ProgramLine } from './program-line.js';
import { parseSystemdOomd } from './systemd-oomd.js';

/** Log identifiers (SYSLOG_IDENTIFIER, syslog tag) of the killers; k3s and k0s run the kubelet in their own process. */
export const KILLER_IDENTIFIERS: Readonly<Record<string, Exclude<Killer, 'kernel'>>> = {
  'systemd-oomd': 'systemd-oomd',
  earlyoom: 'earlyoom',
  nohang: 'nohang',
  'nohang-desktop': 'nohang',
  kubelet: 'kubelet-eviction',
  k3s: 'kubelet-eviction',
  k0s: 'kubelet-eviction',
};

export function killerOf(identifier: string): Exclude<Killer, 'kernel'> | null {
  return Object.hasOwn(KILLER_IDENTIFIERS, identifier) ? KILLER_IDENTIFIERS[identifier] : null;
}

export class KillerLogParser {
  private readonly earlyoom = new EarlyoomParser();
  private readonly nohang = new NohangParser();
  private readonly kubelet = new KubeletParser();
  /** Lines of a known killer that said it killed but did not parse (recorded raw, flagged 'unparsed'). */
  unparsedCount = 0;

  /** One line; the incidents it completes (zero or one per line of the message). */
  push(line: ProgramLine): OomReport[] {
    const killer = killerOf(line.identifier);
    if (!killer) return [];
    const out: OomReport[] = [];
    for (const text of line.text.split('\n')) {
      const d = this.parse(killer, text.trim(), line.wallMs);
      if (!d) continue;
      if (d.unparsed) this.unparsedCount++;
      out.push(reportOf(d, line));
    }
    return out;
  }

  private parse(killer: Exclude<Killer, 'kernel'>, text: string, atMs: number | null): KillerDraft | null {
    if (!text) return null;
    switch (killer) {
      case 'systemd-oomd':
        return parseSystemdOomd(text);
      case 'earlyoom':
        return this.earlyoom.push(text, atMs);
      case 'nohang':
        return this.nohang.push(text);
      case 'kubelet-eviction':
        return this.kubelet.push(text);
    }
  }
}
