import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy } from '../../src/policy/compile.js';
import { planAdjustments } from '../../src/policy/plan.js';
import { commOf, snapshotOf } from './live.js';
import { policyOf } from './factories.js';

/**
 * A user's unit with a system unit's name, in real cgroups: systemd's own hierarchy (the v1 `name=systemd` mount on
 * hybrid hosts like this one, else the v2 root), where systemd puts `systemd-run --user --unit=…` under
 * user@UID.service. The processes are copies of /bin/sleep named postgres; the user's one runs as uid 1001.
 */
function systemdHierarchy(): string {
  if (existsSync('/sys/fs/cgroup/systemd/cgroup.procs')) return '/sys/fs/cgroup/systemd';
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return '/sys/fs/cgroup';
  throw new Error(
    'no systemd cgroup hierarchy at /sys/fs/cgroup/systemd (v1 name=systemd) or /sys/fs/cgroup (v2): mount one to run this test',
  );
}

describe('unit rules against real cgroups', () => {
  const unit = `oomwatch-pg-${process.pid}.service`;
  const systemPath = `/system.slice/${unit}`;
  const userPath = `/user.slice/user-1001.slice/user@1001.service/app.slice/${unit}`;
  let root: string;
  let dir: string;
  const made: string[] = [];
  const children: ChildProcess[] = [];

  beforeEach(() => {
    root = systemdHierarchy();
    dir = mkdtempSync(join(tmpdir(), 'oomwatch-unit-'));
    chmodSync(dir, 0o755);
  });
  afterEach(async () => {
    const exited = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => c.once('exit', r)));
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(exited);
    // Deepest first; a folder this test did not create is left alone. EBUSY only while a killed child is unreaped.
    for (const d of made.reverse()) {
      for (let i = 0; i < 50 && existsSync(d); i++) {
        try {
          rmdirSync(d);
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function makeCgroup(path: string): string {
    let at = root;
    for (const part of path.split('/').filter(Boolean)) {
      at = join(at, part);
      if (!existsSync(at)) {
        mkdirSync(at);
        made.push(at);
      }
    }
    return at;
  }

  async function startIn(path: string, uid: number): Promise<number> {
    const exe = join(dir, 'postgres');
    if (!existsSync(exe)) {
      copyFileSync('/bin/sleep', exe);
      chmodSync(exe, 0o755);
    }
    const child = spawn(exe, ['600'], { stdio: 'ignore', uid, gid: uid });
    children.push(child);
    const pid = child.pid!;
    for (let i = 0; i < 200 && commOf(pid) !== 'postgres'; i++) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(join(makeCgroup(path), 'cgroup.procs'), String(pid));
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(path);
    return pid;
  }

  it('a unit match never selects a user unit of the same name; scope: user (pinned to the user) does', async () => {
    const system = await startIn(systemPath, 0);
    const user = await startIn(userPath, 1001);
    const snap = snapshotOf([system, user]);
    const byPid = new Map(snap.processes.map((p) => [p.pid, p]));
    expect(byPid.get(system)).toMatchObject({ unit, unitScope: 'system', uid: 0 });
    expect(byPid.get(user)).toMatchObject({ unit, unitScope: 'user', uid: 1001 });

    const immune = compilePolicy(policyOf({ rules: [{ id: 'pg', match: { unit }, level: 'immune' }] }));
    expect(planAdjustments(snap.processes, immune, snap).map((e) => [e.process.pid, e.targetAdj])).toEqual([[system, -1000]]);
    const users = compilePolicy(policyOf({ rules: [{ id: 'pg-1001', match: { unit, user: 1001 }, scope: 'user', level: 'prefer-keep' }] }));
    expect(planAdjustments(snap.processes, users, snap).map((e) => [e.process.pid, e.targetAdj])).toEqual([[user, -500]]);
  });
});
