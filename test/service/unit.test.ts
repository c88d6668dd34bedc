import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffLines, renderUnit, resolveExecStart, UNIT_PATH } from '../../src/cli/commands/service.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';

const TEMPLATE = readFileSync(new URL('../../config/oomwatch.service', import.meta.url), 'utf8');
const ALL = new Set(['kmsg', 'protection'] as const);
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

function fakeIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: { PATH: '/nonexistent' },
    isTty: false,
    log: silentLogger(),
  };
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'oomwatch-service-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `Key=value` lines of a unit, in order. */
const directives = (unit: string) => unit.split('\n').filter((l) => /^[A-Z][A-Za-z]+=/.test(l));

describe('the shipped unit', () => {
  it('keeps /proc readable, restarts except on a bad config, and protects and bounds the agent', () => {
    const d = directives(TEMPLATE);
    for (const forbidden of ['ProtectProc=', 'ProcSubset=', 'MemoryDenyWriteExecute=', 'ProtectKernelLogs=', 'PrivateDevices=']) {
      expect(d.filter((l) => l.startsWith(forbidden))).toEqual([]);
    }
    for (const required of [
      'RestartPreventExitStatus=78',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'OOMScoreAdjust=-900',
      'MemoryMax=512M',
      'StateDirectory=oomwatch',
      'NoNewPrivileges=yes',
      'DeviceAllow=/dev/kmsg r',
    ]) {
      expect(d).toContain(required);
    }
    // Starts from no capabilities; only the feature blocks add any.
    expect(d.filter((l) => l.startsWith('CapabilityBoundingSet='))).toEqual([
      'CapabilityBoundingSet=',
      'CapabilityBoundingSet=CAP_SYSLOG',
      'CapabilityBoundingSet=CAP_SYS_RESOURCE CAP_DAC_OVERRIDE',
    ]);
  });

  it('leaves out the capability blocks of unused features', () => {
    const unit = renderUnit(TEMPLATE, { execStart: '/usr/bin/oomwatch run', features: new Set() });
    expect(directives(unit).filter((l) => l.includes('Capabilit'))).toEqual(['CapabilityBoundingSet=', 'AmbientCapabilities=']);
    expect(unit).toContain('# (kmsg capabilities left out by oomwatch service install --no-kmsg)');
    expect(directives(unit)).toContain('ExecStart=/usr/bin/oomwatch run');
    const kmsgOnly = renderUnit(TEMPLATE, { execStart: '/usr/bin/oomwatch run', features: new Set(['kmsg'] as const) });
    expect(directives(kmsgOnly).filter((l) => l.startsWith('AmbientCapabilities='))).toEqual([
      'AmbientCapabilities=',
      'AmbientCapabilities=CAP_SYSLOG',
    ]);
  });

  it('makes homes read-only instead of hidden when ExecStart runs from one (nvm), so the service can start', () => {
    const nvm = renderUnit(TEMPLATE, {
      execStart:
        '/root/.nvm/versions/node/v20.18.0/bin/node /root/.nvm/versions/node/v20.18.0/lib/node_modules/oomwatch/dist/src/cli/bin.js run',
      features: ALL,
    });
    expect(directives(nvm).filter((l) => l.startsWith('ProtectHome='))).toEqual(['ProtectHome=read-only']);
    const system = renderUnit(TEMPLATE, { execStart: '/usr/bin/oomwatch run', features: ALL });
    expect(directives(system).filter((l) => l.startsWith('ProtectHome='))).toEqual(['ProtectHome=yes']);
    expect(
      directives(renderUnit(TEMPLATE, { execStart: '/usr/bin/node /homework/bin.js run', features: ALL })).filter((l) =>
        l.startsWith('ProtectHome='),
      ),
    ).toEqual(['ProtectHome=yes']);
  });

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify (skipped only where systemd-analyze is not installed)', () => {
    const dir = tempDir();
    // verify checks that ExecStart's program exists and is executable: use this node and this checkout's entry point.
    const execStart = `${process.execPath} ${join(process.cwd(), 'src/cli/bin.ts')} run`;
    for (const features of [ALL, new Set<never>()]) {
      writeFileSync(join(dir, 'oomwatch.service'), renderUnit(TEMPLATE, { execStart, features }));
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'oomwatch.service')], { encoding: 'utf8' });
      expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 0, stderr: '' });
    }
    // And it does catch a broken unit, so the pass above means something.
    writeFileSync(
      join(dir, 'oomwatch.service'),
      renderUnit(TEMPLATE, { execStart, features: ALL }).replace('Restart=on-failure', 'Restart=sometimes'),
    );
    const bad = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'oomwatch.service')], { encoding: 'utf8' });
    expect(bad.stderr).toMatch(/Failed to parse service restart specifier, ignoring: sometimes/);
  });

  it.skipIf(!hasSystemdAnalyze)('keeps systemd-analyze security’s exposure score at "OK" or better with every capability block in', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'oomwatch.service'),
      renderUnit(TEMPLATE, { execStart: `${process.execPath} ${join(process.cwd(), 'src/cli/bin.ts')} run`, features: ALL }),
    );
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', join(dir, 'oomwatch.service')], {
      encoding: 'utf8',
    });
    const m = /Overall exposure level for oomwatch\.service: (\d+\.\d+) (\S+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    // systemd's scale: 0 safest … 10 unsafe; "OK" is below 4.0 and "MEDIUM" starts there.
    expect(Number(m![1])).toBeLessThan(4);
    expect(m![2]).toMatch(/^(OK|SAFE|PERFECT)$/);
  });
});

describe('resolveExecStart', () => {
  const fs = (files: string[]) => ({
    exists: (p: string) => files.includes(p),
    realpath: (p: string) => p.replace('/usr/local/bin/oomwatch', '/usr/local/lib/node_modules/oomwatch/dist/src/cli/bin.js'),
  });

  it('uses the installed binary when node is on systemd’s PATH', () => {
    expect(resolveExecStart({ argv1: '/usr/local/bin/oomwatch', execPath: '/usr/bin/node', ...fs([]) })).toBe(
      '/usr/local/bin/oomwatch run',
    );
    expect(
      resolveExecStart({
        argv1: '/w/dist/src/cli/bin.js',
        execPath: '/usr/bin/node',
        pathEnv: '/opt/x:/usr/local/bin',
        ...fs(['/usr/local/bin/oomwatch']),
      }),
    ).toBe('/usr/local/bin/oomwatch run');
  });

  it('names node explicitly when the shebang could not find it under systemd', () => {
    expect(resolveExecStart({ argv1: '/usr/local/bin/oomwatch', execPath: '/root/.nvm/versions/node/v20/bin/node', ...fs([]) })).toBe(
      '/root/.nvm/versions/node/v20/bin/node /usr/local/lib/node_modules/oomwatch/dist/src/cli/bin.js run',
    );
    expect(resolveExecStart({ argv1: '/srv/my app/dist/src/cli/bin.js', execPath: '/usr/bin/node', ...fs([]) })).toBe(
      '/usr/bin/node "/srv/my app/dist/src/cli/bin.js" run',
    );
  });

  it('rejects a --bin that is relative or missing, saying how to find it', () => {
    expect(() => resolveExecStart({ bin: 'oomwatch', argv1: '', execPath: '/usr/bin/node', ...fs([]) })).toThrow(
      '--bin: expected the absolute path of the installed oomwatch binary, got "oomwatch" (not absolute). Try --bin "$(command -v oomwatch)".',
    );
    expect(() => resolveExecStart({ bin: '/opt/oomwatch', argv1: '', execPath: '/usr/bin/node', ...fs([]) })).toThrow(/\(no such file\)/);
  });
});

describe('diffLines', () => {
  it('marks removed and added lines around unchanged ones', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toBe('  a\n- b\n+ B\n  c\n+ d');
  });
});

describe('oomwatch service install', () => {
  const run = async (args: string[]) => {
    const io = fakeIo();
    const code = await main(['node', 'oomwatch', 'service', 'install', ...args], io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  it('writes the unit under --root atomically, then reports it up to date, and prints the next step', async () => {
    const root = tempDir();
    const bin = join(root, 'oomwatch-bin');
    writeFileSync(bin, '#!/bin/sh\n');
    const first = await run(['--root', root, '--bin', bin, '--no-protection']);
    expect(first.code).toBe(0);
    const path = join(root, UNIT_PATH);
    expect(first.out).toContain(`Wrote ${path} (ExecStart=`);
    expect(first.out).toContain('Next: systemctl daemon-reload && systemctl enable --now oomwatch');
    expect(first.out).toContain(`No ${join(root, 'etc/oomwatch/config.yaml')} yet`);
    const unit = readFileSync(path, 'utf8');
    expect(directives(unit)).toContain('CapabilityBoundingSet=CAP_SYSLOG');
    expect(unit).not.toContain('CAP_SYS_RESOURCE CAP_DAC_OVERRIDE\n');
    expect(readdirSync(join(root, 'etc/systemd/system'))).toEqual(['oomwatch.service']); // no temp file left
    expect(await run(['--root', root, '--bin', bin, '--no-protection'])).toMatchObject({ code: 0, out: `${path} is already up to date.` });
  });

  it('--dry-run prints the unit or a diff and writes nothing', async () => {
    const root = tempDir();
    const bin = join(root, 'oomwatch-bin');
    writeFileSync(bin, '#!/bin/sh\n');
    const fresh = await run(['--root', root, '--bin', bin, '--dry-run']);
    expect(fresh.code).toBe(0);
    expect(fresh.out).toContain('does not exist; --dry-run would write:');
    // With node on systemd's PATH the binary runs itself; otherwise node is named in front of it.
    const nodePrefix = ['/usr/bin', '/usr/local/bin', '/usr/sbin', '/usr/local/sbin'].some((d) => process.execPath === `${d}/node`)
      ? ''
      : `${process.execPath} `;
    expect(fresh.out).toContain(`ExecStart=${nodePrefix}${bin} run`);
    expect(existsSync(join(root, UNIT_PATH))).toBe(false);

    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    const old = renderUnit(TEMPLATE, { execStart: '/old/oomwatch run', features: ALL });
    writeFileSync(join(root, UNIT_PATH), old);
    const diff = await run(['--root', root, '--bin', bin, '--dry-run', '--no-kmsg']);
    expect(diff.out).toContain('differs; --dry-run would change it');
    expect(diff.out).toContain('- ExecStart=/old/oomwatch run');
    expect(diff.out).toContain('- CapabilityBoundingSet=CAP_SYSLOG');
    expect(readFileSync(join(root, UNIT_PATH), 'utf8')).toBe(old);
  });

  it('exits 77 with the fix when the unit cannot be written', async () => {
    const bin = join(tempDir(), 'oomwatch-bin');
    writeFileSync(bin, '#!/bin/sh\n');
    // sysfs refuses new directories even to root: the same answer an unprivileged user gets from /etc.
    const r = await run(['--root', '/sys', '--bin', bin]);
    expect(r.code).toBe(77);
    expect(r.err).toBe(
      'oomwatch: Cannot write /sys/etc/systemd/system/oomwatch.service: permission denied. ' +
        'Run it as root (sudo oomwatch service install), or pass --root DIR to write under a folder you can write.',
    );
  });

  it('exits 64 with the fix when --bin is not absolute', async () => {
    const r = await run(['--root', tempDir(), '--bin', 'oomwatch']);
    expect(r.code).toBe(64);
    expect(r.err).toContain('Try --bin "$(command -v oomwatch)"');
  });
});
