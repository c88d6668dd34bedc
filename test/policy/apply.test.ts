import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAdjustments } from '../../src/policy/apply.js';
import { readCapSysResource } from '../../src/policy/capability.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { planAdjustments } from '../../src/policy/plan.js';
import { applyAgentSelfProtection } from '../../src/policy/self-protect.js';
import { LiveProcesses, adjOf, bootId, snapshotOf } from './live.js';
import { policyOf, proc } from './factories.js';
import { ProcFs } from '../../src/sample/procfs.js';

// This machine's root lacks CAP_SYS_RESOURCE (see docs/protection.md); the tests assert what the kernel really does.
const hasCap = readCapSysResource(new ProcFs('/proc'));

describe('applyAdjustments on real processes', () => {
  let live: LiveProcesses;
  beforeEach(() => {
    live = new LiveProcesses();
  });
  afterEach(() => live.cleanup());

  function planFor(pids: number[], rules: unknown[]) {
    const snap = snapshotOf(pids);
    return planAdjustments(snap.processes, compilePolicy(policyOf({ rules })), snap);
  }

  it("gives each process its rule's value; lowering below 0 without CAP_SYS_RESOURCE is refused with the fix", async () => {
    const sshd = await live.start('sshd');
    const mysqld = await live.start('mysqld');
    const chrome = await live.start('chrome');
    expect([adjOf(sshd.pid), adjOf(mysqld.pid), adjOf(chrome.pid)]).toEqual([0, 0, 0]);
    const plan = planFor(
      [sshd.pid, mysqld.pid, chrome.pid],
      [
        { id: 'sshd', match: { name: 'sshd', exe: sshd.exe }, level: 'immune' },
        { id: 'databases', match: { name: 'mysqld', exe: mysqld.exe }, oomScoreAdj: 200 },
        { id: 'browsers', match: { name: 'chrome', exe: chrome.exe }, level: 'prefer-kill' },
      ],
    );
    const results = applyAdjustments(new ProcFs('/proc'), plan, { bootId: bootId() });
    const byRule = Object.fromEntries(results.map((r) => [r.entry.rule.id, r]));
    expect(byRule.browsers).toMatchObject({ outcome: 'applied', fromAdj: 0, toAdj: 500, message: null });
    expect(byRule.databases).toMatchObject({ outcome: 'applied', fromAdj: 0, toAdj: 200 });
    expect(adjOf(chrome.pid)).toBe(500);
    expect(adjOf(mysqld.pid)).toBe(200);
    if (hasCap === false) {
      expect(byRule.sshd.outcome).toBe('denied');
      expect(byRule.sshd.message).toBe(
        `cannot protect sshd (pid ${sshd.pid}, rule sshd): lowering oom_score_adj from 0 to -1000 needs CAP_SYS_RESOURCE, which oomwatch lacks. ` +
          'Grant it: AmbientCapabilities=CAP_SYS_RESOURCE in the oomwatch systemd unit (CapabilityBoundingSet must include it); ' +
          'in a container, the container runtime must grant it (docker run --cap-add SYS_RESOURCE; Kubernetes securityContext.capabilities.add: ["SYS_RESOURCE"]). ' +
          'Or let systemd set the value at start: oomwatch protect systemd UNIT --adj N.',
      );
      expect(adjOf(sshd.pid)).toBe(0);
    } else {
      expect(byRule.sshd.outcome).toBe('applied');
      expect(adjOf(sshd.pid)).toBe(-1000);
    }
  });

  it('without CAP_SYS_RESOURCE may still lower a raised value back down to the floor (0)', async () => {
    const p = await live.start('chrome');
    applyAdjustments(new ProcFs('/proc'), planFor([p.pid], [{ match: { exe: p.exe }, level: 'kill-first' }]), { bootId: bootId() });
    expect(adjOf(p.pid)).toBe(1000);
    const back = applyAdjustments(new ProcFs('/proc'), planFor([p.pid], [{ match: { exe: p.exe }, level: 'neutral' }]), {
      bootId: bootId(),
    });
    expect(back.map((r) => [r.outcome, r.fromAdj, r.toAdj])).toEqual([['applied', 1000, 0]]);
    expect(adjOf(p.pid)).toBe(0);
    const below = applyAdjustments(new ProcFs('/proc'), planFor([p.pid], [{ match: { exe: p.exe }, oomScoreAdj: -100 }]), {
      bootId: bootId(),
    });
    expect(below[0].outcome).toBe(hasCap === false ? 'denied' : 'applied');
    expect(adjOf(p.pid)).toBe(hasCap === false ? 0 : -100);
  });

  it('never writes to a process whose start time or boot differs from the plan (PID reuse guard)', async () => {
    const p = await live.start('mysqld');
    const [entry] = planFor([p.pid], [{ match: { exe: p.exe }, level: 'kill-first' }]);
    const reused = { ...entry, process: { ...entry.process, startTimeTicks: entry.process.startTimeTicks - 1 } };
    const [r] = applyAdjustments(new ProcFs('/proc'), [reused], { bootId: bootId() });
    expect(r.outcome).toBe('identity-changed');
    expect(r.message).toBe(
      `pid ${p.pid} now has start time ${entry.process.startTimeTicks}, the plan was made for ${entry.process.startTimeTicks - 1}`,
    );
    expect(adjOf(p.pid)).toBe(0);
    const [other] = applyAdjustments(new ProcFs('/proc'), [entry], { bootId: 'another-boot' });
    expect(other.outcome).toBe('identity-changed');
    expect(adjOf(p.pid)).toBe(0);
    // The genuine identity is applied.
    expect(applyAdjustments(new ProcFs('/proc'), [entry], { bootId: bootId() })[0].outcome).toBe('applied');
    expect(adjOf(p.pid)).toBe(1000);
  });

  it('counts a process that exited as gone, and a dry run writes nothing', async () => {
    const a = await live.start('chrome');
    const b = await live.start('firefox');
    const plan = planFor([a.pid, b.pid], [{ match: { name: ['chrome', 'firefox'], exe: [a.exe, b.exe] }, level: 'prefer-kill' }]);
    const dry = applyAdjustments(new ProcFs('/proc'), plan, { bootId: bootId(), dryRun: true });
    expect(dry.map((r) => r.outcome)).toEqual(['would-apply', 'would-apply']);
    expect([adjOf(a.pid), adjOf(b.pid)]).toEqual([0, 0]);
    await live.stop(a.pid);
    const results = applyAdjustments(new ProcFs('/proc'), plan, { bootId: bootId() });
    expect(results.map((r) => [r.entry.process.pid, r.outcome])).toEqual([
      [a.pid, 'gone'],
      [b.pid, 'applied'],
    ]);
    expect(applyAdjustments(new ProcFs('/proc'), plan.slice(1), { bootId: bootId() })[0].outcome).toBe('unchanged');
  });
});

describe('applyAgentSelfProtection', () => {
  it("writes the agent's own value through <procRoot>/self", () => {
    const root = mkdtempSync(join(tmpdir(), 'oomwatch-self-'));
    try {
      mkdirSync(join(root, 'self'));
      writeFileSync(join(root, 'self/oom_score_adj'), '0\n');
      expect(applyAgentSelfProtection(new ProcFs(root), -900)).toEqual({ outcome: 'applied', fromAdj: 0, toAdj: -900, message: null });
      expect(readFileSync(join(root, 'self/oom_score_adj'), 'utf8')).toBe('-900\n');
      expect(applyAgentSelfProtection(new ProcFs(root), -900).outcome).toBe('unchanged');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('on the real kernel: refused with a clear message without CAP_SYS_RESOURCE, applied with it', () => {
    const before = adjOf(process.pid);
    const target = Math.min(-900, before - 1);
    const r = applyAgentSelfProtection(new ProcFs('/proc'), target);
    if (hasCap === false) {
      expect(r.outcome).toBe('denied');
      expect(r.message).toMatch(
        /^cannot protect the oomwatch agent itself: lowering its oom_score_adj from -?\d+ to -\d+ needs CAP_SYS_RESOURCE, so under memory pressure the agent may be killed before it records the kill\. Grant it: AmbientCapabilities=CAP_SYS_RESOURCE/,
      );
      expect(adjOf(process.pid)).toBe(before);
    } else {
      expect(r.outcome).toBe('applied');
      expect(adjOf(process.pid)).toBe(target);
    }
  });
});

describe('applyAdjustments on a tree that is not procfs', () => {
  it('reports an unexpected error as failed for that entry instead of throwing', () => {
    const root = mkdtempSync(join(tmpdir(), 'oomwatch-notproc-'));
    try {
      // /<pid>/oom_score_adj is a directory here: open for writing fails with EISDIR.
      mkdirSync(join(root, '42/oom_score_adj'), { recursive: true });
      const entry = {
        process: { bootId: 'b', pid: 42, startTimeTicks: 7, ppid: 1, comm: 'x', exe: null, uid: 0, unit: null },
        rule: { id: 'r', index: 0, level: null, why: null },
        currentAdj: 0,
        targetAdj: 500,
        action: 'set' as const,
        mayNeedCapability: false,
        children: { coversLaterChildren: true as const, existing: [], text: '' },
        effect: { adjustmentBytes: 0, totalBytes: 1, usageBytes: 0, rankBefore: null, rankAfter: null, killableAfter: 0, text: '' },
        cgroupEffect: null,
      };
      const [r] = applyAdjustments(new ProcFs(root), [entry], { bootId: 'b' });
      expect(r.outcome).toBe('failed');
      expect(r.message).toMatch(
        new RegExp(`^cannot set the oom_score_adj of x \\(pid 42, rule r\\) under ${root}: EISDIR.*Check that procfs is mounted there`),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('applyAdjustments through a ProcFs on a fixture tree', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'oomwatch-fixture-proc-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A process directory as procfs shows it: stat (start time in field 22) and oom_score_adj. */
  function fixtureProcess(pid: number, comm: string, startTimeTicks: number, adj: number): void {
    mkdirSync(join(root, String(pid)), { recursive: true });
    writeFileSync(
      join(root, `${pid}/stat`),
      `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 1 1 0 0 20 0 1 0 ${startTimeTicks} 10000000 500 18446744073709551615\n`,
    );
    writeFileSync(join(root, `${pid}/oom_score_adj`), `${adj}\n`);
  }

  function planOn(): ReturnType<typeof planAdjustments> {
    const procs = [proc({ pid: 4242, comm: 'chrome', startTimeTicks: 777 }), proc({ pid: 4343, comm: 'sshd', startTimeTicks: 888 })];
    const snap = { ...snapshotOf([]), bootId: 'boot-1', processes: procs };
    return planAdjustments(
      procs,
      compilePolicy(
        policyOf({
          rules: [
            { id: 'browsers', match: { name: 'chrome' }, level: 'prefer-kill' },
            { id: 'sshd', match: { name: 'sshd' }, oomScoreAdj: -500 },
          ],
        }),
      ),
      snap,
    );
  }

  it("writes each planned value into the fixture's oom_score_adj files and re-checks the start time first", () => {
    fixtureProcess(4242, 'chrome', 777, 0);
    fixtureProcess(4343, 'sshd', 999, 0); // pid reused since the plan: start time 999, planned 888
    const results = applyAdjustments(new ProcFs(root), planOn(), { bootId: 'boot-1' });
    expect(results.map((r) => [r.entry.rule.id, r.outcome, r.fromAdj, r.toAdj])).toEqual([
      ['browsers', 'applied', 0, 500],
      ['sshd', 'identity-changed', null, -500],
    ]);
    expect(readFileSync(join(root, '4242/oom_score_adj'), 'utf8')).toBe('500\n');
    expect(readFileSync(join(root, '4343/oom_score_adj'), 'utf8')).toBe('0\n');
  });

  it('reports a process that left the tree as gone, and a dry run writes nothing', () => {
    fixtureProcess(4242, 'chrome', 777, 0);
    const dry = applyAdjustments(new ProcFs(root), planOn(), { bootId: 'boot-1', dryRun: true });
    expect(dry.map((r) => r.outcome)).toEqual(['would-apply', 'gone']);
    expect(readFileSync(join(root, '4242/oom_score_adj'), 'utf8')).toBe('0\n');
    const real = applyAdjustments(new ProcFs(root), planOn(), { bootId: 'boot-1' });
    expect(real.map((r) => r.outcome)).toEqual(['applied', 'gone']);
    expect(applyAdjustments(new ProcFs(root), planOn(), { bootId: 'boot-1' }).map((r) => r.outcome)).toEqual(['unchanged', 'gone']);
  });
});
