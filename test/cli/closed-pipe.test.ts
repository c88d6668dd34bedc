import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { KMSG_FIXTURES } from '../kernel/fixtures.js';

/**
 * `oomwatch doctor | head -1`: the reader closes the pipe before the command has written everything. The command's
 * stdout is a real pipe whose reading end this test closes at once, before the child has started writing.
 */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OOMWATCH_CONFIG: '' },
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('a closed stdout ends the command quietly', () => {
  it.each([
    ['doctor', ['doctor']],
    ['import', ['import', join(KMSG_FIXTURES, 'synthetic/6.6-situations-dmesg.txt')]],
    ['import --json', ['import', join(KMSG_FIXTURES, '6.18.44-memcg-2.txt'), '--json']],
  ])('%s: exit 0, no stack trace', async (_name, args) => {
    const r = await runWithClosedStdout(args);
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });
});
