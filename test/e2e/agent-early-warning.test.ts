/**
 * Early warning on a real kernel: the agent (default rules, 1 s sampling, a JSON webhook to a loopback
 * sink) watches a process leak at a steady rate into a memory cgroup made by the test, until the kernel
 * kills it. The time-to-oom warning, naming the leaker, must reach the sink BEFORE the kill. The test
 * asserts that order, never a duration. CI (CI=true, root) must run it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { alertsOf, runLeakDrill } from '../helpers/leak-drill.js';
import { memoryCgroupSupport } from '../helpers/oom-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';

const support = memoryCgroupSupport();
const missing = support.ok ? null : (support.reason ?? 'no memory cgroup');
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe('early warning before an OOM kill', () => {
  it.runIf(process.env.CI === 'true' && missing !== null)('CI must be able to run the drill', () => {
    expect.fail(`CI=true but the leak drill cannot run: ${missing}`);
  });

  it.skipIf(missing !== null)(
    `a steady leak into a 192 MiB cgroup: the time-to-oom warning naming the leaker arrives before the kill${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const r = await runLeakDrill({ cli: CLI, dir: tmp.dir, limitMiB: 192, rateMiBPerSecond: 8, comm: 'drill-leaker' });
      expect(r.signal, r.stderr).toBe('SIGKILL');
      const warning = r.requests.find((q) =>
        alertsOf(q).some((a) => a.ruleId === 'time-to-oom' && a.state === 'firing' && a.summary.includes(`drill-leaker (pid ${r.pid})`)),
      );
      expect(
        warning,
        `no time-to-oom warning naming the leaker; received: ${JSON.stringify(r.requests.map((q) => alertsOf(q).map((a) => a.summary)))}`,
      ).toBeDefined();
      // the order: warning received, then the kill
      expect(warning!.atMs).toBeLessThan(r.killedAtMs);
      expect(alertsOf(warning!).find((a) => a.ruleId === 'time-to-oom')!.summary).toMatch(
        /^OOM in about \d+ s at the current rate \(cgroup \/oomwatch-test-[0-9a-f]+: /,
      );
      // and the kill itself was paged, after the warning
      const kill = r.requests.find((q) =>
        alertsOf(q).some((a) => a.ruleId === 'oom-kill' && a.summary.includes(`drill-leaker (pid ${r.pid})`)),
      );
      expect(kill, r.stderr).toBeDefined();
      expect(r.requests.indexOf(kill!)).toBeGreaterThan(r.requests.indexOf(warning!));
      expect(r.agentExitCode, r.stderr).toBe(0);
    },
    120_000,
  );
});
