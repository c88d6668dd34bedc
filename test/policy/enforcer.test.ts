import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createPolicyRepo } from '../../src/store/policy-repo.js';
import { createPolicyEnforcer } from '../../src/policy/enforcer.js';
import { readCapSysResource } from '../../src/policy/capability.js';
import { createLogger } from '../../src/log.js';
import { LiveProcesses, adjOf, bootId, snapshotOf } from './live.js';
import { policyOf, proc } from './factories.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { createStore } from '../../src/store/store.js';

const hasCap = readCapSysResource(new ProcFs('/proc'));

describe('createPolicyEnforcer', () => {
  let live: LiveProcesses;
  let dir: string;
  let db: Database;
  let logLines: { level: number; msg: string }[];
  const log = () => createLogger({ level: 'info', destination: { write: (s: string) => void logLines.push(JSON.parse(s)) } });

  beforeEach(() => {
    live = new LiveProcesses();
    dir = mkdtempSync(join(tmpdir(), 'oomwatch-enforce-'));
    db = openDatabase(join(dir, 'oomwatch.db'));
    logLines = [];
  });
  afterEach(() => {
    db.close();
    live.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies values to new processes, corrects drift on the next tick, audits every change, warns once about the unprotected', async () => {
    const sshd = await live.start('sshd');
    const chrome = await live.start('chrome');
    const policy = policyOf({
      rules: [
        { id: 'sshd', match: { name: 'sshd', exe: sshd.exe }, level: 'immune' },
        { id: 'browsers', match: { name: 'chrome', exe: chrome.exe }, level: 'prefer-kill' },
      ],
    });
    const enforcer = createPolicyEnforcer({ store: createStore(db), log: log(), procfs: new ProcFs('/proc'), policy, bootId: bootId() });
    const repo = createPolicyRepo(db);

    const t1 = enforcer.onTick(snapshotOf([sshd.pid, chrome.pid]), 1_000);
    expect(adjOf(chrome.pid)).toBe(500);
    const sshdLine = `sshd (pid ${sshd.pid}, rule sshd): wants -1000, stays at 0`;
    if (hasCap === false) {
      expect(t1).toEqual({ applied: 1, drifted: 0, unprotected: [sshdLine], gone: 0, contested: [] });
      expect(adjOf(sshd.pid)).toBe(0);
    } else {
      expect(t1).toEqual({ applied: 2, drifted: 0, unprotected: [], gone: 0, contested: [] });
      expect(adjOf(sshd.pid)).toBe(-1000);
    }

    // Someone resets chrome's value behind the agent's back (allowed: 0 is not below the floor).
    writeFileSync(`/proc/${chrome.pid}/oom_score_adj`, '0');
    expect(adjOf(chrome.pid)).toBe(0);
    const t2 = enforcer.onTick(snapshotOf([sshd.pid, chrome.pid]), 2_000);
    expect(adjOf(chrome.pid)).toBe(500);
    expect(t2).toEqual({ applied: 1, drifted: 1, unprotected: hasCap === false ? [sshdLine] : [], gone: 0, contested: [] });

    // A process that starts later gets its value on the next tick.
    const chrome2 = await live.start('chrome');
    expect(chrome2.exe).toBe(chrome.exe);
    const t3 = enforcer.onTick(snapshotOf([sshd.pid, chrome.pid, chrome2.pid]), 3_000);
    expect(t3.applied).toBe(1);
    expect(adjOf(chrome2.pid)).toBe(500);

    const audit = repo.listChanges().map((c) => [c.tsMs, c.pid, c.comm, c.ruleId, c.fromAdj, c.toAdj, c.reason, c.outcome]);
    const boot = bootId();
    expect(repo.listChanges()[0].bootId).toBe(boot);
    // In write order: rule order within a tick.
    expect(audit).toEqual([
      [1_000, sshd.pid, 'sshd', 'sshd', 0, -1000, 'new', hasCap === false ? 'denied' : 'applied'],
      [1_000, chrome.pid, 'chrome', 'browsers', 0, 500, 'new', 'applied'],
      [2_000, chrome.pid, 'chrome', 'browsers', 0, 500, 'drift', 'applied'],
      [3_000, chrome2.pid, 'chrome', 'browsers', 0, 500, 'new', 'applied'],
    ]);
    expect(
      repo.listChanges({ process: { bootId: boot, pid: chrome.pid, startTimeTicks: repo.listChanges()[1].startTimeTicks } }),
    ).toHaveLength(repo.listChanges().filter((c) => c.pid === chrome.pid).length);

    const warnings = logLines.filter((l) => l.level === 40);
    const events = db.prepare("SELECT kind, message FROM agent_event WHERE kind = 'policy-unprotected'").all() as {
      kind: string;
      message: string;
    }[];
    if (hasCap === false) {
      expect(warnings).toHaveLength(1); // once, not every tick
      expect(warnings[0].msg).toBe(
        `oomwatch cannot protect 1 process (rule sshd): lowering oom_score_adj below 0 needs CAP_SYS_RESOURCE, which oomwatch lacks. ` +
          `They stay unprotected: ${sshdLine}. Grant it: AmbientCapabilities=CAP_SYS_RESOURCE in the oomwatch systemd unit (CapabilityBoundingSet must include it); ` +
          'in a container, the container runtime must grant it (docker run --cap-add SYS_RESOURCE; Kubernetes securityContext.capabilities.add: ["SYS_RESOURCE"]). ' +
          'Or let systemd set the value at start: oomwatch protect systemd UNIT --adj N. oomwatch keeps applying the values it can (raising is allowed).',
      );
      expect(events.map((e) => e.message)).toEqual([warnings[0].msg]);
    } else {
      expect(warnings).toEqual([]);
      expect(events).toEqual([]);
    }
    expect(
      logLines.some(
        (l) => l.level === 30 && l.msg === `corrected oom_score_adj drift of chrome (pid ${chrome.pid}, rule browsers): 0 → 500`,
      ),
    ).toBe(true);
  });

  it('stops correcting a process that keeps resetting its own value, and says so once', async () => {
    const p = await live.start('chrome');
    const policy = policyOf({ rules: [{ id: 'browsers', match: { exe: p.exe }, level: 'prefer-kill' }] });
    const enforcer = createPolicyEnforcer({ store: createStore(db), log: log(), procfs: new ProcFs('/proc'), policy, bootId: bootId() });
    enforcer.onTick(snapshotOf([p.pid]), 0);
    const drifted: number[] = [];
    for (let i = 1; i <= 3; i++) {
      writeFileSync(`/proc/${p.pid}/oom_score_adj`, '300'); // what a Chromium renderer does to itself
      drifted.push(enforcer.onTick(snapshotOf([p.pid]), i * 60_000).drifted);
      expect(adjOf(p.pid)).toBe(500);
    }
    expect(drifted).toEqual([1, 1, 1]);
    writeFileSync(`/proc/${p.pid}/oom_score_adj`, '300');
    const t = enforcer.onTick(snapshotOf([p.pid]), 4 * 60_000);
    expect(t).toEqual({
      applied: 0,
      drifted: 0,
      unprotected: [],
      gone: 0,
      contested: [`chrome (pid ${p.pid}, rule browsers): reset its oom_score_adj 3 times in 10 min`],
    });
    expect(adjOf(p.pid)).toBe(300);
    const warnings = logLines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toEqual([
      `chrome (pid ${p.pid}, rule browsers): reset its oom_score_adj 3 times in 10 min; oomwatch stops correcting it, to stop fighting whatever sets it ` +
        '(often the program itself). Exclude it from rule browsers (e.g. with a cmdline pattern), or stop what resets it.',
    ]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM agent_event WHERE kind = 'policy-contested'").get()).toEqual({ n: 1 });
  });

  it('logs and audits a failed write once, without retrying it every tick', () => {
    const root = join(dir, 'not-proc');
    mkdirSync(join(root, '42/oom_score_adj'), { recursive: true }); // a folder: the write fails with EISDIR
    const policy = policyOf({ rules: [{ id: 'x', match: { name: 'worker' }, level: 'prefer-kill' }] });
    const enforcer = createPolicyEnforcer({
      store: createStore(db),
      log: log(),
      procfs: new ProcFs(root),
      policy,
      bootId: 'boot-1',
      uidOf: () => undefined,
    });
    const snap = { ...snapshotOf([]), processes: [proc({ pid: 42, comm: 'worker' })] };
    enforcer.onTick(snap, 1_000);
    enforcer.onTick(snap, 2_000);
    expect(
      createPolicyRepo(db)
        .listChanges()
        .map((c) => [c.tsMs, c.outcome]),
    ).toEqual([[1_000, 'failed']]);
    expect(logLines.filter((l) => l.level === 50)).toHaveLength(1);
  });

  it('counts a process gone before the write, and forgets identities that left', async () => {
    const a = await live.start('chrome');
    const policy = policyOf({ rules: [{ id: 'browsers', match: { exe: a.exe }, level: 'prefer-kill' }] });
    const enforcer = createPolicyEnforcer({ store: createStore(db), log: log(), procfs: new ProcFs('/proc'), policy, bootId: bootId() });
    const snap = snapshotOf([a.pid]);
    await live.stop(a.pid);
    expect(enforcer.onTick(snap, 1_000)).toEqual({ applied: 0, drifted: 0, unprotected: [], gone: 1, contested: [] });
    expect(createPolicyRepo(db).listChanges()).toEqual([]);
  });

  it('writes nothing when policy.enforce is false', async () => {
    const a = await live.start('chrome');
    const policy = policyOf({ enforce: false, rules: [{ id: 'browsers', match: { exe: a.exe }, level: 'prefer-kill' }] });
    const enforcer = createPolicyEnforcer({ store: createStore(db), log: log(), procfs: new ProcFs('/proc'), policy, bootId: bootId() });
    expect(enforcer.onTick(snapshotOf([a.pid]), 1_000)).toEqual({ applied: 0, drifted: 0, unprotected: [], gone: 0, contested: [] });
    expect(adjOf(a.pid)).toBe(0);
  });

  it('isProtected: a protective rule whose value is in effect', () => {
    const policy = policyOf({
      rules: [
        { id: 'sshd', match: { exe: '/usr/sbin/sshd' }, level: 'immune' },
        { id: 'b', match: { name: 'chrome' }, level: 'prefer-kill' },
      ],
    });
    const enforcer = createPolicyEnforcer({
      store: createStore(db),
      log: log(),
      procfs: new ProcFs('/proc'),
      policy,
      bootId: 'b',
      uidOf: () => undefined,
    });
    expect(enforcer.isProtected(proc({ pid: 2, exe: '/usr/sbin/sshd', oomScoreAdj: -1000 }))).toBe(true);
    expect(enforcer.isProtected(proc({ pid: 2, exe: '/usr/sbin/sshd', oomScoreAdj: 0 }))).toBe(false);
    expect(enforcer.isProtected(proc({ pid: 3, comm: 'chrome', oomScoreAdj: 500 }))).toBe(false);
    expect(enforcer.isProtected(proc({ pid: 4, oomScoreAdj: -1000 }))).toBe(false);
  });
});
