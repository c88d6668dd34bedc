import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI, runCli } from '../helpers/cli.js';
import { OTHER_USER } from '../helpers/other-user.js';
import { makeTempDir } from '../helpers/tmp.js';

let t: ReturnType<typeof makeTempDir>;
beforeEach(() => (t = makeTempDir()));
afterEach(() => t.cleanup());

describe('CLI exit codes and messages', () => {
  it('exits 78 on an unknown key, naming it and the fix', async () => {
    const cfg = join(t.dir, 'bad.yaml');
    writeFileSync(cfg, 'sample:\n  intervall: 10s\n');
    const r = await runCli(['run', '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('sample.intervall: unknown key');
    expect(r.stderr).toContain('config/oomwatch.example.yaml');
  });

  it('exits 78 on a bad value, naming the key and the value', async () => {
    const cfg = join(t.dir, 'bad.yaml');
    writeFileSync(cfg, 'sample:\n  interval: often\n');
    const r = await runCli(['sample', '--once', '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/sample\.interval: expected a duration such as 10s.*got "often"/);
  });

  it('exits 78 on broken YAML with the line', async () => {
    const cfg = join(t.dir, 'bad.yaml');
    writeFileSync(cfg, 'sample:\n  interval: [10s\n');
    const r = await runCli(['run', '--config', cfg]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/YAML syntax: .*line \d+/);
  });

  it('exits 78 when the named config file does not exist', async () => {
    const r = await runCli(['run', '--config', join(t.dir, 'missing.yaml')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('the file does not exist');
  });

  it('exits 73 with the fix when the database path cannot be written', async () => {
    const dir = join(t.dir, 'ro');
    mkdirSync(dir);
    writeFileSync(join(dir, 'blocker'), 'x'); // a file where a folder is needed
    const r = await runCli(['run', '--db', join(dir, 'blocker', 'sub', 'oomwatch.db'), '--interval', '1s']);
    expect(r.code).toBe(73);
    expect(r.stderr).toMatch(/Cannot open the database .*blocker/);
    expect(r.stderr).toMatch(/--db|store\.path/);
  });

  it('exits 73 with the fix when --db is not a database, for read-only commands too', async () => {
    const garbage = join(t.dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(4096, 0x5a));
    for (const args of [['incidents'], ['history', '1'], ['top', '--at', '1h']]) {
      const r = await runCli([...args, '--db', garbage]);
      expect({ args, code: r.code }).toEqual({ args, code: 73 });
      expect(r.stderr).toContain('not an SQLite database. Point --db / store.path at an oomwatch database file');
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    }
  });

  it('exits 73 at once for a database under /proc, and doctor names a file in the way of the database folder', async () => {
    const r = await runCli([
      'import',
      join(import.meta.dirname, '../fixtures/kmsg/3.10.0-514.6.1.el7-global-1.txt'),
      '--db',
      '/proc/nope/x.db',
    ]);
    expect(r.code).toBe(73);
    expect(r.stderr).toContain('/proc and /sys are virtual filesystems');
    writeFileSync(join(t.dir, 'plainfile'), 'x');
    const d = await runCli(['doctor', '--db', join(t.dir, 'plainfile', 'x.db')]);
    expect(d.stdout).toMatch(/database\s+FAIL\s+.*plainfile\/x\.db cannot be created/);
    expect(d.stdout).toContain('database: Choose another store.path / --db.');
    const p = await runCli(['doctor', '--db', '/proc/oomwatch/oomwatch.db']);
    expect(p.stdout).toMatch(/database\s+FAIL\s+\/proc\/oomwatch\/oomwatch\.db cannot hold a database/);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'exits 73 for a non-root user whose database folder is not writable (needs root to switch user)',
    async () => {
      const dir = join(t.dir, 'locked');
      mkdirSync(dir);
      chmodSync(t.dir, 0o755);
      chmodSync(dir, 0o755);
      const r = await runCli(['run', '--db', join(dir, 'oomwatch.db'), '--interval', '1s'], { ...OTHER_USER, cwd: '/' });
      expect(r.code).toBe(73);
      expect(r.stderr).toMatch(/Permission denied|unable to open|cannot open/i);
    },
  );

  it('exits 66 for an unknown PID, saying what to try', async () => {
    const db = join(t.dir, 'x.db');
    const agent = spawn(process.execPath, [CLI, 'run', '--db', db, '--interval', '200ms'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve) => agent.stderr.on('data', (d) => String(d).includes('agent running') && resolve()));
    agent.kill('SIGTERM');
    await once(agent, 'exit');
    const r = await runCli(['history', '999999999', '--db', db]);
    expect(r.stderr).toContain('No process with PID');
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('No process with PID 999999999 recorded in the last 1h');
  });

  it('exits 64 on a usage error', async () => {
    const r = await runCli(['top', '--limit', 'many']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--limit: expected a positive integer');
  });
});
