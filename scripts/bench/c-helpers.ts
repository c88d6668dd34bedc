/** The benches' C helpers (scripts/bench/*.c): compiled into a work folder, and N idle processes started from one. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

/** Compiles scripts/bench/NAME.c into `workDir` with gcc -O2; returns the binary's path. */
export function compileC(name: string, workDir: string): string {
  const out = join(workDir, name);
  execFileSync('gcc', ['-O2', '-o', out, join(packageRoot(), 'scripts/bench', `${name}.c`)]);
  return out;
}

/** Starts N idle processes (idle-procs.c) and resolves once all run; SIGTERM to the returned process reaps them. */
export async function startIdleProcesses(n: number, workDir: string): Promise<ChildProcess> {
  const idle = spawn(compileC('idle-procs', workDir), [String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    idle.stdout.on('data', (d) => String(d).startsWith('ready') && resolve());
    idle.once('exit', () => reject(new Error('idle-procs exited early')));
  });
  return idle;
}
