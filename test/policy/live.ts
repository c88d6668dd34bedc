import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSampler } from '../../src/sample/host.js';
import type { HostSnapshot } from '../../src/model/snapshot.js';

/**
 * Real processes for policy tests: copies of /bin/sleep named like the programs the policy names. The kernel takes
 * comm from the executable's file name, so a copy named `sshd` is, to /proc, a process called sshd.
 */
export class LiveProcesses {
  readonly dir = mkdtempSync(join(tmpdir(), 'oomwatch-policy-'));
  private readonly children: ChildProcess[] = [];

  /** Starts a copy named `name` (the same file for a second one) and waits until /proc shows it under that name. */
  async start(name: string): Promise<{ pid: number; exe: string }> {
    const exe = join(this.dir, name);
    if (!existsSync(exe)) {
      copyFileSync('/bin/sleep', exe);
      chmodSync(exe, 0o755);
    }
    const child = spawn(exe, ['600'], { stdio: 'ignore' });
    this.children.push(child);
    const pid = child.pid!;
    for (let i = 0; i < 200; i++) {
      if (commOf(pid) === name) return { pid, exe };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`process ${name} (pid ${pid}) did not appear in /proc`);
  }

  /** Kills one and waits until it is reaped (its /proc entry is gone). */
  async stop(pid: number): Promise<void> {
    const child = this.children.find((c) => c.pid === pid)!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  cleanup(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function commOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  } catch {
    return null;
  }
}

export const adjOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim());

/** A snapshot of the real /proc, by the sampler, limited to the given pids (so a test never plans for processes it did not start). */
export function snapshotOf(pids: readonly number[], nowMs = Date.now()): HostSnapshot {
  const { sampler } = createSampler({ procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', refreshEveryMs: 0 });
  const s = sampler.takeSnapshot(nowMs);
  return { ...s, processes: s.processes.filter((p) => pids.includes(p.pid)) };
}

export const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
