import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSampler } from '../../src/sample/host.js';
import { openDatabase } from '../../src/store/db.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { makeTempDir } from '../helpers/tmp.js';

/** Secrets as real programs get them. Each is long and unusual enough to appear in the file only if stored. */
const SECRETS = {
  bearer: 'bearer-7f3c9a1e5d2b8046',
  apiKey: 'apikey-2c8e4a6f0b1d3957',
  curlPassword: 'curlpw-9d1b7e3a5c0f2468',
  mysqlPassword: 'mysqlpw-4e6a8c0b2d1f3579',
  pgPassword: 'pgpw-8b0d2f4a6c1e3957',
  jwtSignature: 'jwtsig_5a7c9e1b3d0f2468',
  awsKeyId: 'AKIAQ3EXAMPLE7SECRET',
  shellToken: 'shelltok-1e3c5a7b9d0f2468',
};

/** Command lines with those secrets, in the shapes tools take them. Run by node, which keeps its argv as given. */
const COMMAND_LINES: string[][] = [
  [
    'curl',
    '-H',
    `Authorization: Bearer ${SECRETS.bearer}`,
    '--header=X-Api-Key: ' + SECRETS.apiKey,
    '-u',
    `admin:${SECRETS.curlPassword}`,
    'https://example.invalid/',
  ],
  ['mysql', '-uroot', `-p${SECRETS.mysqlPassword}`, 'db'],
  ['env', `PGPASSWORD=${SECRETS.pgPassword}`, `--token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.${SECRETS.jwtSignature}`, SECRETS.awsKeyId],
  ['sh', '-c', `curl -H 'X-Auth-Token: ${SECRETS.shellToken}' https://example.invalid/`],
];

describe('no secret from a command line reaches the database', () => {
  let t: ReturnType<typeof makeTempDir>;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    t = makeTempDir();
  });
  afterEach(async () => {
    const exited = children.map((c) => new Promise((r) => c.once('exit', r)));
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(exited);
    children.length = 0;
    t.cleanup();
  });

  async function startWith(args: string[]): Promise<number> {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)', '--', ...args], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    for (let i = 0; i < 500; i++) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(args[0])) return pid;
      } catch {
        // not there yet
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`pid ${pid} never showed its command line`);
  }

  it('samples real processes through the real sampler into a real SQLite file: no secret in any byte of it', async () => {
    const pids = await Promise.all(COMMAND_LINES.map(startWith));
    // The secrets are really there to be read: /proc shows them to anyone.
    const visible = pids.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8')).join('\n');
    for (const s of Object.values(SECRETS)) expect(visible).toContain(s);

    const { sampler } = createSampler({ procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', refreshEveryMs: 0 });
    const snap = sampler.takeSnapshot(Date.now());
    const ours = snap.processes.filter((p) => pids.includes(p.pid));
    expect(ours).toHaveLength(pids.length);
    expect(ours.find((p) => p.cmdline.includes('curl -H'))!.cmdline).toContain('Authorization: Bearer ***');

    const db = openDatabase(join(t.dir, 'oomwatch.db'));
    new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 }).writeTick(snap, 1000);
    const stored = db.prepare('SELECT cmdline FROM process WHERE pid IN (SELECT value FROM json_each(?))').all(JSON.stringify(pids)) as {
      cmdline: string;
    }[];
    expect(stored).toHaveLength(pids.length);
    db.close();

    // Every file SQLite wrote (the database, and its WAL and shared memory if any are left), byte by byte.
    const files = readdirSync(t.dir);
    expect(files).toContain('oomwatch.db');
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(t.dir, f))));
    for (const [name, s] of Object.entries(SECRETS))
      expect(bytes.includes(Buffer.from(s)), `${name} found in the database files`).toBe(false);
  });
});
