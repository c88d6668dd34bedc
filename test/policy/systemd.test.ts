import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { main } from '../../src/cli/main.js';
import { normalizeUnitName, parseAdjArgument } from '../../src/policy/systemd-dropin.js';
import { unifiedDiff } from '../../src/policy/diff.js';
import { packageRoot } from '../../src/util/package-root.js';
import { recordingIo } from './cli-io.js';

const FIXTURES = join(packageRoot(), 'test/fixtures/systemd');

/** Every file under a folder, as relative path → content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Compares a generated tree with test/fixtures/systemd/<name>; UPDATE_GOLDEN=1 rewrites the fixture. */
function expectTreeMatches(root: string, name: string): void {
  const expectedDir = join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    rmSync(expectedDir, { recursive: true, force: true });
    cpSync(root, expectedDir, { recursive: true });
  }
  expect(tree(root)).toEqual(tree(expectedDir));
  expect(Object.keys(tree(expectedDir)).length).toBeGreaterThan(0);
}

describe('oomwatch protect systemd', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'oomwatch-root-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = async (...args: string[]) => {
    const io = recordingIo();
    const code = await main(['node', 'oomwatch', 'protect', 'systemd', ...args, '--root', root], io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  it('writes a drop-in with OOMScoreAdjust= and OOMPolicy=, and prints the daemon-reload step', async () => {
    const r = await run('postgresql.service', '--adj', '-900', '--oom-policy', 'continue');
    expect(r.code).toBe(0);
    expectTreeMatches(root, 'postgresql-protect');
    const path = join(root, 'etc/systemd/system/postgresql.service.d/50-oomwatch.conf');
    expect(r.out).toContain(`Wrote ${path}.`);
    expect(r.out).toContain(
      'Next: systemctl daemon-reload && systemctl restart postgresql.service\n' +
        'daemon-reload makes systemd read the new drop-in; the restart applies OOMScoreAdjust= to the running service. ' +
        'From then on systemd sets it at every start, so it survives restarts where a runtime write does not.',
    );
    // No temporary file is left next to it (atomic write: temp file + rename).
    expect(readdirSync(join(root, 'etc/systemd/system/postgresql.service.d'))).toEqual(['50-oomwatch.conf']);
  });

  it('accepts a bare unit name and a level', async () => {
    expect((await run('nginx', '--adj', 'prefer-keep')).code).toBe(0);
    expectTreeMatches(root, 'nginx-prefer-keep');
  });

  it('dry run prints the unified diff against the current file and writes nothing', async () => {
    const dir = join(root, 'etc/systemd/system/postgresql.service.d');
    mkdirSync(dir, { recursive: true });
    const old = readFileSync(join(FIXTURES, 'nginx-prefer-keep/etc/systemd/system/nginx.service.d/50-oomwatch.conf'), 'utf8').replaceAll(
      'nginx',
      'postgresql',
    );
    writeFileSync(join(dir, '50-oomwatch.conf'), old);
    const before = tree(root);
    const r = await run('postgresql', '--adj', '-900', '--oom-policy', 'continue', '--dry-run');
    expect(r.code).toBe(0);
    expect(tree(root)).toEqual(before);
    const expectedDiff = readFileSync(join(FIXTURES, 'postgresql-update.diff'), 'utf8');
    const path = join(dir, '50-oomwatch.conf');
    expect(`${r.out}\n`).toBe(`${expectedDiff}Dry run: ${path} was not written.\n`);

    // The same diff, applied for real, gives the expected file; a second run has nothing to do.
    expect((await run('postgresql', '--adj', '-900', '--oom-policy', 'continue')).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(
      readFileSync(join(FIXTURES, 'postgresql-protect/etc/systemd/system/postgresql.service.d/50-oomwatch.conf'), 'utf8'),
    );
    const again = await run('postgresql', '--adj', '-900', '--oom-policy', 'continue');
    expect(again.out).toMatch(/is already up to date; nothing to write\./);
  });

  it('dry run on a fresh root creates nothing', async () => {
    const r = await run('mysql', '--adj', '-800', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^--- \/dev\/null\n\+\+\+ b\/etc\/systemd\/system\/mysql\.service\.d\/50-oomwatch\.conf\n@@ -0,0 \+1,6 @@\n/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses bad unit names, bad values and legacy values with the fix, writing nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['../etc/passwd', '--adj', '-900'], /UNIT "\.\.\/etc\/passwd" is not a valid systemd unit name/],
      [
        ['sshd.socket', '--adj', '-900'],
        /UNIT "sshd\.socket" is not a service: OOMPolicy= and this drop-in's \[Service\] section apply to \.service units only\./,
      ],
      [
        ['sshd', '--adj', '-17'],
        /--adj: -17 looks like a legacy oom_adj value .* On the legacy scale -17 translates to -1000 \(adj \* 1000 \/ 17, -17 → -1000\)\. Write --adj -1000 \(or level: immune\) instead/,
      ],
      [['sshd', '--adj', '-2000'], /--adj: -2000 is outside -1000\.\.1000/],
      [
        ['sshd', '--adj', 'safe'],
        /--adj: expected an integer from -1000 to 1000 or a level \(immune, protect, prefer-keep, neutral, prefer-kill, kill-first\), got "safe"\./,
      ],
      [['sshd', '--adj', '-900', '--oom-policy', 'restart'], /--oom-policy: expected continue, stop or kill, got "restart"/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.err).toMatch(message);
    }
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('systemd drop-in functions', () => {
  it('normalises unit names as systemctl does', () => {
    expect(normalizeUnitName('nginx')).toBe('nginx.service');
    expect(normalizeUnitName('php7.4-fpm')).toBe('php7.4-fpm.service');
    expect(normalizeUnitName('postgresql@16-main.service')).toBe('postgresql@16-main.service');
    expect(() => normalizeUnitName('a/b')).toThrow(/not a valid systemd unit name/);
    expect(() => normalizeUnitName('x'.repeat(250))).toThrow(/at most 255 characters/);
  });
  it('parses --adj', () => {
    expect([parseAdjArgument('immune'), parseAdjArgument('-500'), parseAdjArgument('0'), parseAdjArgument('+300')]).toEqual([
      -1000, -500, 0, 300,
    ]);
  });
  it('diffs like diff -u', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', 'a/f', 'b/f')).toBe('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
    expect(unifiedDiff('same\n', 'same\n', 'a/f', 'b/f')).toBe('');
  });
});
