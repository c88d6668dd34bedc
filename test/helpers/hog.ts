import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Starts a real process (python3, present on every target machine) that touches `mb` MiB, sets its own
 * oom_score_adj, prints "ready" and sleeps until killed.
 */
export async function startHog(mb: number, adj: number, name = 'oomwatch-hog'): Promise<ChildProcess & { pid: number }> {
  const code = [
    'import sys, time',
    `open('/proc/self/oom_score_adj', 'w').write('${adj}')`,
    `buf = bytearray(${mb} * 1024 * 1024)`,
    'for i in range(0, len(buf), 4096): buf[i] = 1',
    "print('ready', flush=True)",
    'time.sleep(600)',
  ].join('\n');
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'], argv0: name });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (c) => reject(new Error(`hog exited early (${c})`)));
  });
  return child as ChildProcess & { pid: number };
}

export async function stopHog(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}
