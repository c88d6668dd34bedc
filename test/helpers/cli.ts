import { spawn, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import { packageRoot } from '../../src/util/package-root.js';
import { packageRootForOtherUser } from './other-user.js';

/** The built CLI (npm test builds before running vitest). */
export const CLI = join(packageRoot(), 'dist/src/cli/bin.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `oomwatch ARGS` as a real child process and collects its output. With `uid` set to another user, the CLI
 * is loaded from a copy that user can read (see packageRootForOtherUser).
 */
export function runCli(args: string[], opts: SpawnOptions & { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const asOtherUser = opts.uid !== undefined && opts.uid !== process.getuid?.();
  const cli = asOtherUser ? join(packageRootForOtherUser(), 'dist/src/cli/bin.js') : CLI;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...opts,
      env: { ...process.env, OOMWATCH_CONFIG: '', ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin!.end(opts.input ?? '');
  });
}

/** Runs `oomwatch ARGS` in this process through main() with a fake terminal; `env` is all the environment it sees. */
export async function runCliInProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'oomwatch', ...args], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env,
    isTty: false,
    log: silentLogger(),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
