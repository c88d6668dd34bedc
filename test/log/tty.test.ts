/**
 * Which log form a real process writes: compact text when stderr is a terminal (a pty from script(1)),
 * pino's JSON otherwise (a pipe, as under systemd/journald). Runs the built logger in a child process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

const LOG_JS = join(packageRoot(), 'dist/src/log.js');
const SNIPPET = `import(${JSON.stringify(LOG_JS)}).then(({ createLogger }) => createLogger().child({ mod: 'sample' }).warn({ pid: 41, comm: 'big app' }, 'tick took long'))`;

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OOMWATCH_LOG_LEVEL: 'info' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('log form', () => {
  it('is one JSON object per line when stderr is a pipe', async () => {
    const r = await run(process.execPath, ['-e', SNIPPET]);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stderr.trim()) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 40, mod: 'sample', pid: 41, comm: 'big app', msg: 'tick took long' });
    expect(typeof rec.time).toBe('number');
  });

  it('is a compact text line when stderr is a terminal', async () => {
    // script(1) gives the child a pseudo-terminal for stdin, stdout and stderr, and copies what it prints to its own stdout.
    const command = `${process.execPath} -e ${JSON.stringify(SNIPPET).replace(/\$/g, '\\$')}`;
    const r = await run('script', ['-qec', command, '/dev/null']);
    expect(r.code, r.stderr).toBe(0);
    const text = r.stdout.replace(/\r/g, '').trim();
    expect(text).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}sample: tick took long pid=41 comm="big app"$/);
  });
});
