/**
 * How long before an OOM kill the warning arrives, through the production path: the agent runs as a child
 * process with its default rules, sampling every second, a JSON webhook pointed at a loopback HTTP sink,
 * and a process in a throwaway memory cgroup leaks at a steady rate until the kernel kills it. Two drills:
 * 2 MiB/s into 384 MiB (about 3 minutes) and 8 MiB/s into 512 MiB (about a minute). Needs root and a
 * memory cgroup. Prints figures; asserts nothing.
 *   node dist/scripts/bench/lead-time.js
 */
import { alertsOf, runLeakDrill } from '../../test/helpers/leak-drill.js';
import { memoryCgroupSupport } from '../../test/helpers/oom-cgroup.js';
import { makeTempDir } from '../../test/helpers/tmp.js';
import { packageRoot } from '../../src/util/package-root.js';
import { join } from 'node:path';

const support = memoryCgroupSupport();
if (!support.ok) {
  console.error(`lead-time: cannot run: ${support.reason}`);
  process.exit(77);
}

/** "OOM in about 45 s" / "about 3 min" → seconds. */
function statedEtaS(summary: string): number | null {
  const m = /OOM in about (\d+) (s|min|h)\b/.exec(summary);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 's' ? 1 : m[2] === 'min' ? 60 : 3600);
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
/** The same ETA to the second, from "(…: 296 MiB left, falling 2.0 MiB/s)". */
function etaFromFiguresS(summary: string): number | null {
  const m = /: ([\d.]+) (B|KiB|MiB|GiB) left, falling ([\d.]+) (B|KiB|MiB|GiB)\/s\)/.exec(summary);
  return m ? Math.round((Number(m[1]) * UNITS[m[2]]) / (Number(m[3]) * UNITS[m[4]])) : null;
}

const tmp = makeTempDir();
try {
  for (const [limitMiB, rate] of [
    [384, 2],
    [512, 8],
  ] as const) {
    const comm = `lead-${rate}mibs`;
    const r = await runLeakDrill({
      cli: join(packageRoot(), 'dist/src/cli/bin.js'),
      dir: tmp.dir,
      limitMiB,
      rateMiBPerSecond: rate,
      comm,
      afterKillMs: 15_000,
    });
    const named = `${comm} (pid ${r.pid})`;
    const mine = r.requests.filter((q) => q.atMs >= r.startedAtMs);
    const ttoom = mine.find((q) => alertsOf(q).some((a) => a.ruleId === 'time-to-oom' && a.state === 'firing'));
    const naming = mine.find((q) => alertsOf(q).some((a) => a.state === 'firing' && a.ruleId !== 'oom-kill' && a.summary.includes(named)));
    const kill = mine.find((q) => alertsOf(q).some((a) => a.ruleId === 'oom-kill' && a.summary.includes(named)));
    const ttoomAlert = ttoom ? alertsOf(ttoom).find((a) => a.ruleId === 'time-to-oom') : undefined;
    console.log(
      JSON.stringify({
        bench: 'lead-time',
        drill: `${rate} MiB/s into ${limitMiB} MiB`,
        killedBy: r.signal,
        leakToKillS: (r.killedAtMs - r.startedAtMs) / 1000,
        timeToOomLeadS: ttoom ? (r.killedAtMs - ttoom.atMs) / 1000 : null,
        namingLeakerLeadS: naming ? (r.killedAtMs - naming.atMs) / 1000 : null,
        namingLeakerRule: naming ? alertsOf(naming).find((a) => a.summary.includes(named))?.ruleId : null,
        statedEtaS: ttoomAlert ? statedEtaS(ttoomAlert.summary) : null,
        etaFromStatedFiguresS: ttoomAlert ? etaFromFiguresS(ttoomAlert.summary) : null,
        realTimeLeftS: ttoom ? (r.killedAtMs - ttoom.atMs) / 1000 : null,
        killToMessageMs: kill ? kill.atMs - r.killedAtMs : null,
        timeToOomSummary: ttoomAlert?.summary ?? null,
      }),
    );
  }
} finally {
  tmp.cleanup();
}
