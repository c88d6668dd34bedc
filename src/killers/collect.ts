/** The killers' incidents of a saved log, fed one raw line at a time (import streams files through it). Pure. */
import type { OomReport } from '../model/kernel-report.js';
import { KillerLogParser } from './parse.js';
import { parseProgramLine } from './program-line.js';

// Cheap test first: most lines of a system log are of other programs.
const HINT_RE = /systemd-oomd|earlyoom|nohang|kubelet|k3s|k0s/;

export function collectKillerReports(opts: { nowMs: number }): {
  push(rawLine: string): void;
  end(): { reports: OomReport[]; unparsed: number };
} {
  const parser = new KillerLogParser();
  const reports: OomReport[] = [];
  return {
    push(rawLine) {
      if (!HINT_RE.test(rawLine)) return;
      const line = parseProgramLine(rawLine, opts.nowMs);
      if (line) reports.push(...parser.push(line));
    },
    end: () => ({ reports, unparsed: parser.unparsedCount }),
  };
}
