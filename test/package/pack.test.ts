/**
 * The package as users get it: build the current sources, `npm pack`, install the tarball globally
 * into a temporary prefix, and run the installed `oomwatch`. better-sqlite3 is native: its install
 * script runs during the global install (a prebuilt binary, or a compile when none can be fetched).
 *
 * The copy that is packed holds exactly what the Dockerfile's build stage copies, so this is also the
 * container image's build replayed without a container engine: a file the build needs that the Dockerfile
 * does not copy fails here, not in `docker build` (the global install stands in for the run stage's
 * `npm ci --omit=dev`: production dependencies only).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  scripts: Record<string, string>;
};
/** The sources of the Dockerfile's build-stage COPY lines (the run stage copies only from the build stage). */
function dockerBuildStageCopies(): string[] {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const build = dockerfile.slice(0, dockerfile.lastIndexOf('\nFROM '));
  return [...build.matchAll(/^COPY (?!--)(.+)$/gm)].flatMap((m) => m[1].trim().split(/\s+/).slice(0, -1));
}

const work = mkdtempSync(join(tmpdir(), 'oomwatch-pack-'));
const stage = join(work, 'stage');
const prefix = join(work, 'prefix');

/** npm run from `npm test` passes npm_config_* down; a nested npm must not inherit its prefix or cache settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

/** Runs a command without blocking the test worker (a synchronous two-minute install starves vitest's RPC). */
function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let files: string[] = [];
let tarball = '';

beforeAll(async () => {
  // A copy of what the image's build stage copies, test/ and scripts/ among it, so the test proves they are left out.
  mkdirSync(stage, { recursive: true });
  for (const entry of dockerBuildStageCopies()) cpSync(join(REPO, entry), join(stage, entry), { recursive: true });
  // `npm pack` runs prepack, which builds the copy's sources (the repo's own dist/ may be stale).
  symlinkSync(join(REPO, 'node_modules'), join(stage, 'node_modules'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: stage });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stdout}${pack.stderr}`);
  // prepack's own output (the build) precedes the JSON on stdout.
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  files = info.files.map((f) => f.path).sort();
  tarball = join(work, info.filename);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('packs the copy the image build makes: the Dockerfile copies the sources, the lock file and the shipped folders', () => {
    const copies = dockerBuildStageCopies();
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'src',
      'migrations',
      'config',
      'docs',
      'LICENSE',
      'README.md',
    ]) {
      expect(copies).toContain(needed);
    }
    // Every top-level entry that ships (package.json "files") is copied, or built from what is copied.
    for (const entry of pkg.files.filter((f) => !f.startsWith('!'))) {
      const top = entry.split('/')[0];
      expect(top === 'dist' || copies.includes(top), `${entry} ships but the Dockerfile does not copy ${top}`).toBe(true);
    }
  });

  it('ships the compiled program (built by prepack), migrations, the unit, docs, the licence and the drill, and nothing else', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    for (const needed of [
      'package.json',
      'LICENSE',
      'dist/src/cli/bin.js',
      'dist/src/metrics/index.js',
      'migrations/0001_samples.sql',
      'config/oomwatch.service',
      'docs/json.md',
      'scripts/oom-drill',
      'dist/scripts/drill/oom-drill.js',
      'dist/scripts/drill/oom-cgroup.js',
    ]) {
      expect(files).toContain(needed);
    }
    const stray = files.filter(
      (f) =>
        // The drill (scripts/oom-drill and its compiled dist/scripts/drill) is the only script that ships.
        (/^(test|scripts|src|dist\/test|dist\/scripts)\//.test(f) && f !== 'scripts/oom-drill' && !f.startsWith('dist/scripts/drill/')) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
        f.endsWith('.map') || // source maps point at src/, which does not ship
        f === 'vitest.config.js' ||
        f === 'tsconfig.json',
    );
    expect(stray).toEqual([]);
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/src', 'migrations', 'config']));
  });

  it('installs globally into a prefix, and the installed oomwatch runs --version, --help and doctor', async () => {
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball]);
    expect({ status: install.status, stderr: install.status === 0 ? '' : install.stderr }).toEqual({ status: 0, stderr: '' });
    const bin = join(prefix, 'bin', 'oomwatch');
    const oomwatch = (args: string[]) => run(bin, args, { cwd: work, env: { ...cleanEnv(), OOMWATCH_CONFIG: '' } });

    const version = await oomwatch(['--version']);
    expect({ status: version.status, out: version.stdout.trim() }).toEqual({ status: 0, out: pkg.version });
    const help = await oomwatch(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^\s+service\s/m);

    // The drill ships and loads from the installed package (a wrong option stops it before any cgroup is made).
    const drill = await run(join(prefix, 'lib', 'node_modules', 'oomwatch', 'scripts', 'oom-drill'), ['--no-such-option'], { cwd: work });
    expect({ status: drill.status, stderr: drill.stderr }).toEqual({
      status: 64,
      stderr: 'usage: scripts/oom-drill [--limit-mib N] [--db PATH] [--json]\n',
    });

    const doctor = await oomwatch(['doctor']);
    // doctor exits non-zero only when it finds a problem it cannot work around; a crash is 70.
    expect(doctor.status, doctor.stderr).not.toBe(70);
    expect(doctor.stdout).toMatch(/^CHECK\s+STATUS\s+DETAIL/m);
    expect(doctor.stdout).toMatch(/^kernel\s+OK/m);

    // The native SQLite binding was installed and loads from the installed package.
    const pkgDir = join(prefix, 'lib', 'node_modules', 'oomwatch');
    const sqlite = await run(
      process.execPath,
      ['-e', "console.log(new (require('better-sqlite3'))(':memory:').prepare('select 41 + 1 as x').get().x)"],
      { cwd: pkgDir },
    );
    expect({ status: sqlite.status, out: sqlite.stdout.trim(), err: sqlite.stderr }).toEqual({ status: 0, out: '42', err: '' });
    // And the unit template ships where `oomwatch service install` reads it.
    // ExecStart names the installed binary (or node + its real bin.js when node is not on systemd's PATH).
    const dry = await oomwatch(['service', 'install', '--root', join(work, 'root'), '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    const nodeOnSystemdPath = ['/usr/bin', '/usr/local/bin', '/usr/sbin', '/usr/local/sbin'].some((d) => process.execPath === `${d}/node`);
    const realBin = realpathSync(join(pkgDir, 'dist/src/cli/bin.js'));
    expect(dry.stdout).toContain(nodeOnSystemdPath ? `\nExecStart=${bin} run\n` : `\nExecStart=${process.execPath} ${realBin} run\n`);
  }, 400_000);
});
