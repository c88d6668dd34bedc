/**
 * A process killed in a memory cgroup and reaped late: a parent (python3) moves itself into the cgroup,
 * forks a child that holds some memory, and when told grows the child past the limit. When the OOM
 * killer has ended the child the parent waits `reapAfterMs` before its wait(): meanwhile the child is a
 * zombie, as with a real parent busy elsewhere. The parent, small, stays in the cgroup: the innocent
 * neighbour of the victim.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OomCgroup } from './oom-cgroup.js';

export interface LateReaperRun {
  parentPid: number;
  childPid: number;
  childStartTimeTicks: number;
  /** Tells the child to grow until the OOM killer ends it; resolves when it is dead and not yet reaped. */
  killChild(): Promise<void>;
  /** Resolves when the parent has reaped the child. */
  waitReaped(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLateReaper(
  cg: OomCgroup,
  opts: { holdMb?: number; reapAfterMs: number; comm?: string },
): Promise<LateReaperRun> {
  const code = [
    'import ctypes, os, sys, time',
    `open(${JSON.stringify(join(cg.dir, 'cgroup.procs'))}, 'w').write(str(os.getpid()))`,
    'pid = os.fork()',
    'if pid == 0:',
    `    ctypes.CDLL(None).prctl(15, ${JSON.stringify((opts.comm ?? 'oomwatch-victim').slice(0, 15))}.encode(), 0, 0, 0)`,
    `    held = bytearray(${opts.holdMb ?? 24} * 1024 * 1024)`,
    '    for j in range(0, len(held), 4096): held[j] = 1',
    "    print('ready', os.getpid(), flush=True)",
    '    sys.stdin.readline()',
    '    chunks = []',
    '    while True:',
    '        b = bytearray(1024 * 1024)',
    '        for j in range(0, len(b), 4096): b[j] = 1',
    '        chunks.append(b)',
    // waitid with WNOWAIT: told of the child's death without reaping it.
    'os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)',
    "print('dead', flush=True)",
    `time.sleep(${opts.reapAfterMs / 1000})`,
    'os.waitpid(pid, 0)',
    "print('reaped', flush=True)",
    'time.sleep(600)',
  ].join('\n');
  const parent: ChildProcess = spawn('python3', ['-c', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { word: string; resolve: () => void }[] = [];
  let partial = '';
  parent.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop()!; // complete lines only
    lines.push(...parts.filter(Boolean));
    for (const w of [...waiters]) if (lines.some((l) => l.startsWith(w.word))) w.resolve();
  });
  const lineOf = (word: string) =>
    new Promise<string>((resolve, reject) => {
      const found = () => lines.find((l) => l.startsWith(word));
      if (found()) return resolve(found()!);
      waiters.push({ word, resolve: () => resolve(found()!) });
      parent.once('exit', (c, s) => reject(new Error(`the parent exited (${c ?? s}) before "${word}"`)));
    });
  const ready = await lineOf('ready');
  const childPid = Number(ready.split(' ')[1]);
  const stat = readFileSync(`/proc/${childPid}/stat`, 'utf8');
  return {
    parentPid: parent.pid!,
    childPid,
    childStartTimeTicks: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]),
    async killChild() {
      parent.stdin!.write('go\n');
      await lineOf('dead');
    },
    async waitReaped() {
      await lineOf('reaped');
    },
    async stop() {
      if (parent.exitCode !== null || parent.signalCode !== null) return;
      parent.kill('SIGKILL');
      await once(parent, 'exit');
    },
  };
}
