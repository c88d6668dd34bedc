/**
 * The unit's capability blocks (config/oomwatch.service) rest on these kernel facts, checked here on the
 * real kernel by running node under `setpriv` with the bounding set the unit would give:
 *  - no capability at all is needed to read /proc (any process), /proc/meminfo, PSI and /proc/vmstat;
 *  - /dev/kmsg needs CAP_SYSLOG when kernel.dmesg_restrict=1;
 *  - writing another user's /proc/PID/oom_score_adj needs CAP_DAC_OVERRIDE (the file belongs to that user).
 * (Lowering below 0 also needs CAP_SYS_RESOURCE; this machine does not hold it, so test/policy covers that refusal.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const dmesgRestricted = readFileSync('/proc/sys/kernel/dmesg_restrict', 'utf8').trim() === '1';

/** Runs a node snippet as root with only `caps` in its bounding set; returns its stdout lines. */
function runWithCaps(caps: string[], script: string): string[] {
  const bounding = ['-all', ...caps.map((c) => `+${c}`)].join(',');
  const r = spawnSync('setpriv', [`--bounding-set=${bounding}`, '--inh-caps=-all', '--', process.execPath, '-e', script], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`setpriv/node failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

const TRY = (label: string, expr: string) =>
  `try { ${expr}; console.log('${label} ok'); } catch (e) { console.log('${label} ' + e.code); }`;

describe.skipIf(!hasSetpriv || !isRoot)('capabilities per feature (skipped only without setpriv or root)', () => {
  let other: ChildProcess;
  beforeAll(async () => {
    // A process owned by another user: its /proc/PID/oom_score_adj belongs to uid 65534.
    other = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '60'], { stdio: 'ignore' });
    const uidOf = () =>
      existsSync(`/proc/${other.pid}/status`) ? /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${other.pid}/status`, 'utf8'))?.[1] : null;
    for (let i = 0; i < 100 && uidOf() !== '65534'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(uidOf()).toBe('65534');
  });
  afterAll(() => {
    other.kill('SIGKILL');
  });

  it('reads every /proc file the sampler uses with no capability at all', () => {
    const files = [
      '/proc/1/stat',
      '/proc/1/status',
      '/proc/1/oom_score',
      '/proc/1/oom_score_adj',
      '/proc/1/cmdline',
      '/proc/1/cgroup',
      '/proc/meminfo',
      '/proc/vmstat',
    ];
    if (existsSync('/proc/pressure/memory')) files.push('/proc/pressure/memory');
    const out = runWithCaps(
      [],
      `const fs = require('fs'); console.log(fs.readFileSync('/proc/self/status', 'utf8').match(/^CapEff:.*$/m)[0]); ${files.map((f) => TRY(f, `fs.readFileSync('${f}')`)).join(' ')}`,
    );
    expect(out).toEqual(['CapEff:\t0000000000000000', ...files.map((f) => `${f} ok`)]);
  });

  it.skipIf(!dmesgRestricted)('opens /dev/kmsg only with CAP_SYSLOG (kernel.dmesg_restrict=1 here)', () => {
    const script = `const fs = require('fs'); ${TRY('kmsg', "fs.readSync(fs.openSync('/dev/kmsg', 'r'), Buffer.alloc(8192))")}`;
    expect(runWithCaps([], script)).toEqual(['kmsg EPERM']);
    expect(runWithCaps(['syslog'], script)).toEqual(['kmsg ok']);
  });

  it.skipIf(!dmesgRestricted)(
    'oomwatch doctor (the built CLI) sees /proc without capabilities and /dev/kmsg with the kmsg block’s CAP_SYSLOG',
    () => {
      const doctor = (caps: string[]) => {
        const bounding = ['-all', ...caps.map((c) => `+${c}`)].join(',');
        const r = spawnSync('setpriv', [`--bounding-set=${bounding}`, '--inh-caps=-all', '--', process.execPath, CLI, 'doctor'], {
          encoding: 'utf8',
          cwd: '/tmp',
          env: { ...process.env, OOMWATCH_CONFIG: '' },
        });
        return r.stdout;
      };
      const none = doctor([]);
      expect(none).toMatch(/^proc\s+OK\s/m);
      expect(none).toMatch(/^kmsg\s+WARN\s+\/dev\/kmsg not readable \(EPERM\)/m);
      expect(none).toContain('grant CAP_SYSLOG (AmbientCapabilities=CAP_SYSLOG in the systemd unit');
      expect(doctor(['syslog'])).toMatch(/^kmsg\s+OK\s/m);
    },
  );

  it('writes another user’s oom_score_adj only with CAP_DAC_OVERRIDE', () => {
    const path = `/proc/${other.pid}/oom_score_adj`;
    const script = `const fs = require('fs'); ${TRY('write', `fs.writeFileSync('${path}', '100')`)}`;
    expect(runWithCaps(['syslog'], script)).toEqual(['write EACCES']);
    expect(runWithCaps(['dac_override'], script)).toEqual(['write ok']);
    expect(readFileSync(path, 'utf8').trim()).toBe('100');
  });
});
