import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createPolicyRepo, ADJ_CHANGE_PRUNABLE } from '../../src/store/policy-repo.js';
import { pruneHistory } from '../../src/store/prune.js';
import { createPolicyModule } from '../../src/policy/module.js';
import { readCapSysResource } from '../../src/policy/capability.js';
import { validateConfig } from '../../src/config/validate.js';
import { manualClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import type { AgentContext } from '../../src/agent/module.js';
import { LiveProcesses, adjOf, bootId, snapshotOf } from './live.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { createStore } from '../../src/store/store.js';

const hasCap = readCapSysResource(new ProcFs('/proc'));

describe('createPolicyModule (agent wiring)', () => {
  let live: LiveProcesses;
  let dir: string;
  let db: Database;
  beforeEach(() => {
    live = new LiveProcesses();
    dir = mkdtempSync(join(tmpdir(), 'oomwatch-policy-module-'));
    db = openDatabase(join(dir, 'oomwatch.db'));
  });
  afterEach(() => {
    db.close();
    live.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  function context(policy: unknown, selfProc = new ProcFs('/proc')): AgentContext {
    const r = validateConfig({ policy });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return {
      config: r.config,
      store: createStore(db, join(dir, 'oomwatch.db')),
      log: silentLogger(),
      clock: manualClock(5_000),
      facts: { bootId: bootId(), hostname: 'h', kernelRelease: 'k', pageSizeBytes: 4096 },
      procfs: new ProcFs('/proc'),
      selfProc,
    };
  }

  it('protects the agent at start, enforces on ticks, and reports what stays unprotected for the health alert', async () => {
    const sshd = await live.start('sshd');
    const chrome = await live.start('chrome');
    // The agent's own /proc/self, as a file tree: the real one belongs to the test runner.
    const selfRoot = join(dir, 'proc');
    mkdirSync(join(selfRoot, 'self'), { recursive: true });
    writeFileSync(join(selfRoot, 'self/oom_score_adj'), '0\n');
    writeFileSync(join(selfRoot, 'self/stat'), `${process.pid} (node) S 1 1 1 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 11 0 4242 1 1\n`);
    const ctx = context(
      {
        agentOomScoreAdj: -900,
        rules: [
          { id: 'sshd', match: { name: 'sshd', exe: sshd.exe, user: 0 }, level: 'immune' },
          { id: 'browsers', match: { name: 'chrome', exe: chrome.exe }, level: 'prefer-kill' },
        ],
      },
      new ProcFs(selfRoot),
    );
    const m = createPolicyModule(ctx);
    m.start!();
    expect(readFileSync(join(selfRoot, 'self/oom_score_adj'), 'utf8')).toBe('-900\n');
    expect(m.health().self).toEqual({ outcome: 'applied', fromAdj: 0, toAdj: -900, message: null });

    m.onTick!({
      snapshot: snapshotOf([sshd.pid, chrome.pid]),
      previous: null,
      tickId: 1,
      fresh: true,
      nowMs: 6_000,
      durationMs: 1,
      missedTicks: 0,
    });
    expect(adjOf(chrome.pid)).toBe(500);
    expect(m.health().unprotected).toEqual(hasCap === false ? [`sshd (pid ${sshd.pid}, rule sshd): wants -1000, stays at 0`] : []);
    expect(
      createPolicyRepo(db)
        .listChanges()
        .map((c) => [c.tsMs, c.ruleId, c.reason, c.startTimeTicks]),
    ).toEqual([
      [5_000, 'agent-self', 'self', 4242],
      [6_000, 'sshd', 'new', expect.any(Number)],
      [6_000, 'browsers', 'new', expect.any(Number)],
    ]);

    // The audit ages out with the history.
    const pruned = await pruneHistory(db, 6_001, 100, [ADJ_CHANGE_PRUNABLE]);
    expect(pruned.other).toBeGreaterThanOrEqual(3);
    expect(createPolicyRepo(db).listChanges()).toEqual([]);
  });

  it('reports the agent itself as unprotected when its own value is refused by the real kernel', () => {
    const m = createPolicyModule(context({ agentOomScoreAdj: -900 }));
    const before = adjOf(process.pid);
    m.start!();
    if (hasCap === false && before > -900) {
      expect(m.health().self?.outcome).toBe('denied');
      expect(m.health().unprotected).toEqual([`oomwatch agent (pid ${process.pid}): wants -900, stays at ${before}`]);
      const events = db.prepare("SELECT message FROM agent_event WHERE kind = 'policy-unprotected'").all() as { message: string }[];
      expect(events.map((e) => e.message)).toEqual([m.health().self?.message]);
    } else {
      expect(['applied', 'unchanged']).toContain(m.health().self?.outcome);
      expect(m.health().unprotected).toEqual([]);
    }
  });
});
