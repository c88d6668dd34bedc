import type { CliIo } from '../../src/cli/io.js';
import { silentLogger } from '../../src/log.js';

/** A CliIo that records what a command prints. */
export function recordingIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    env,
    isTty: false,
    log: silentLogger(),
    stdout,
    stderr,
    text: () => stdout.join('\n'),
  };
}
