/**
 * A throwaway PostgreSQL for tests: `initdb` into a temporary folder and `pg_ctl start` on a free loopback
 * port (never the machine's own cluster). PostgreSQL refuses to run as root, so as root the server runs as
 * uid 65534 (see other-user.ts). Where PostgreSQL is not installed the tests skip, except under CI=true,
 * where scripts/ci-services.sh installs it and its absence is a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../metrics/daemon.js';
import { OTHER_USER } from './other-user.js';

/** The newest PostgreSQL server binaries folder (Debian: /usr/lib/postgresql/N/bin), or null. */
export function findPostgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0], 'bin');
  }
  const r = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim().replace(/\/pg_ctl$/, '') : null;
}

export const POSTGRES_BIN = findPostgresBin();
export const POSTGRES_MISSING = POSTGRES_BIN
  ? null
  : 'PostgreSQL is not installed (apt-get install postgresql-15, or run scripts/ci-services.sh)';

/** Under CI a missing PostgreSQL fails the run instead of skipping its tests. */
export function requirePostgresInCi(): void {
  if (POSTGRES_MISSING && process.env.CI === 'true') throw new Error(`CI=true but ${POSTGRES_MISSING}.`);
}

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/DB for `db` (default: the database made at start). */
  url(db?: string, user?: string): string;
  port: number;
  /** Runs SQL as the superuser on the test database. */
  sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, args?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

function runAsServerUser(bin: string, args: string[]): void {
  const cmd = isRoot() ? ['runuser', '-u', 'nobody', '--', bin, ...args] : [bin, ...args];
  execFileSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
}

export async function startPostgres(opts: { database?: string } = {}): Promise<TestPostgres> {
  if (!POSTGRES_BIN) throw new Error(POSTGRES_MISSING!);
  const bin = POSTGRES_BIN;
  const dir = mkdtempSync(join(tmpdir(), 'oomwatch-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  if (isRoot()) chownSync(dir, OTHER_USER.uid, OTHER_USER.gid);
  runAsServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const port = await freePort();
  const database = opts.database ?? 'oomwatch_fleet';
  const ctl = (action: 'start' | 'stop') =>
    runAsServerUser(
      join(bin, 'pg_ctl'),
      action === 'start'
        ? [
            'start',
            '-w',
            '-t',
            '60',
            '-D',
            data,
            '-l',
            join(dir, 'server.log'),
            '-o',
            `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
          ]
        : ['stop', '-w', '-t', '60', '-m', 'fast', '-D', data],
    );
  ctl('start');
  const url = (db = database, user = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${db}`;
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  let running = true;
  const stop = async () => {
    if (running) ctl('stop');
    running = false;
  };
  const start = async () => {
    if (!running) ctl('start');
    running = true;
  };
  return {
    url,
    port,
    async sql(text, args) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        return (await c.query(text, args)).rows;
      } finally {
        await c.end();
      }
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async destroy() {
      try {
        await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
