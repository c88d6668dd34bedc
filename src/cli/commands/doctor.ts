import { closeSync, constants, existsSync, openSync, statSync, statfsSync, accessSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { KmsgUnreadableError, StoreOutdatedError } from '../../errors.js';
import { CgroupFs } from '../../sample/cgroupfs.js';
import { createSampler } from '../../sample/host.js';
import { DEFAULT_PROC_ROOT, ProcFs } from '../../sample/procfs.js';
import { readCapSysResource } from '../../policy/capability.js';
import { checkProtection } from '../../policy/health.js';
import { onVirtualFs, storeFixFor, VIRTUAL_FS_FIX } from '../../store/db.js';
import { openStore } from '../../store/store.js';
import { formatBytes, formatIso } from '../../util/format.js';
import { loadConfig } from '../../config/load.js';
import { printJson, resolveDbPath } from '../common.js';
import type { CliIo } from '../io.js';
import { DOCTOR_SCHEMA_ID, type CheckJson, type DoctorJson } from '../json/doctor.js';
import { renderTable } from '../../util/table.js';

/** One check; `fix` says what to do about it (warn/fail). The JSON schema is ../json/doctor.ts. */
export type Check = CheckJson;

export function registerDoctor(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description('Check what oomwatch can see and do on this host, with the fix for each problem')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((opts: { json?: boolean; config?: string; db?: string }) => {
      const checks = runChecks(io, opts);
      if (opts.json) printJson(io, { schema: DOCTOR_SCHEMA_ID, checks } satisfies DoctorJson);
      else {
        io.out(
          renderTable(checks, [
            { header: 'CHECK', get: (c) => c.name },
            { header: 'STATUS', get: (c) => c.status.toUpperCase() },
            { header: 'DETAIL', get: (c) => c.detail, max: 100 },
          ]),
        );
        const fixes = checks.filter((c) => c.fix);
        if (fixes.length) io.out(`\n${fixes.map((c) => `${c.name}: ${c.fix}`).join('\n')}`);
      }
      if (checks.some((c) => c.status === 'fail')) io.exitCode = 1;
    });
}

function runChecks(io: CliIo, opts: { config?: string; db?: string }): Check[] {
  const checks: Check[] = [];
  let config;
  try {
    const loaded = loadConfig({ path: opts.config, env: io.env });
    config = loaded.config;
    checks.push({
      name: 'config',
      status: loaded.warnings.length ? 'warn' : 'ok',
      detail: `${loaded.source}${loaded.warnings.length ? `; ${loaded.warnings.join('; ')}` : ''}`,
    });
  } catch (err) {
    checks.push({ name: 'config', status: 'fail', detail: (err as Error).message.split('\n')[0], fix: (err as Error).message });
    config = loadConfig({ path: undefined, env: {}, defaultPath: '/nonexistent' }).config;
  }

  const { sampler, facts } = createSampler({
    procRoot: config.sample.procRoot,
    cgroupRoot: config.sample.cgroupRoot,
    refreshEveryMs: config.sample.keyframeEvery,
  });
  const snap = sampler.takeSnapshot(Date.now());
  checks.push({
    name: 'kernel',
    status: 'ok',
    detail: `${facts.kernelRelease}; oom_score scale: ${snap.scale === 'new' ? 'new (5.9+: idle = 666)' : 'old (idle = 0)'}`,
  });
  checks.push({
    name: 'proc',
    status: snap.counts.denied > 0 ? 'warn' : 'ok',
    detail: `${snap.counts.sampled} processes readable, ${snap.counts.denied} denied, ${snap.counts.kernelThreads} kernel threads`,
    fix:
      snap.counts.denied > 0
        ? 'Some processes are hidden (hidepid, or not root): run oomwatch as root, or add it to the gid= group of the /proc mount.'
        : undefined,
  });
  checks.push({
    name: 'psi',
    status: snap.psi ? 'ok' : 'warn',
    detail: snap.psi ? 'memory pressure (PSI) available' : '/proc/pressure/memory absent',
    fix: snap.psi
      ? undefined
      : 'Memory PSI needs Linux 4.20+ with CONFIG_PSI (boot with psi=1 where it is off by default); PSI rules stay silent without it.',
  });
  checks.push({
    name: 'oom_kill counter',
    status: snap.vmstatOomKill === null ? 'warn' : 'ok',
    detail: snap.vmstatOomKill === null ? 'absent from /proc/vmstat (Linux < 4.13)' : `${snap.vmstatOomKill} kills since boot`,
    fix: snap.vmstatOomKill === null ? 'Kills are recorded from the kernel log only on this kernel; keep /dev/kmsg readable.' : undefined,
  });

  const h = new CgroupFs(config.sample.cgroupRoot).detect();
  checks.push({
    name: 'cgroups',
    status: h ? 'ok' : 'warn',
    detail: h
      ? `memory controller on cgroup v${h.version}; ${snap.cgroups.length} memory-limited cgroup(s) with processes`
      : 'no memory controller found',
    fix: h
      ? undefined
      : `Mount the cgroup filesystem at ${config.sample.cgroupRoot} (or set sample.cgroupRoot); cgroup OOM domains are invisible without it.`,
  });

  checks.push(checkKmsg(config.kernel.kmsgPath, config.kernel.enabled));
  const protection = checkProtection(config.policy, readCapSysResource(new ProcFs(DEFAULT_PROC_ROOT)));
  checks.push({
    name: 'protection',
    status: protection.ok ? 'ok' : 'warn',
    detail: protection.ok
      ? protection.message
      : `CAP_SYS_RESOURCE missing: ${protection.needing.join(', ')} stay unprotected (oom_score_adj can be raised, not lowered below 0)`,
    fix: protection.ok ? undefined : protection.message,
  });
  const dbPath = resolveDbPath(config, opts.db, io.env);
  checks.push(checkDatabase(dbPath));
  if (dbPath !== ':memory:' && !onVirtualFs(dbPath)) checks.push(checkFreeSpace(dbPath));
  return checks;
}

/** Below either, doctor warns: a full disk stops samples from being stored (docs/operate.md). */
export const LOW_FREE_BYTES = 64 * 1024 * 1024;
export const LOW_FREE_FRACTION = 0.05;

/** The free-space verdict for the filesystem holding the database (pure). */
export function freeSpaceCheck(fs: { dir: string; freeBytes: number; totalBytes: number }): Check {
  const pct = fs.totalBytes > 0 ? (100 * fs.freeBytes) / fs.totalBytes : 0;
  const detail = `${formatBytes(fs.freeBytes)} free of ${formatBytes(fs.totalBytes)} (${pct.toFixed(1)} %) on the filesystem holding ${fs.dir}`;
  if (fs.freeBytes >= LOW_FREE_BYTES && pct >= LOW_FREE_FRACTION * 100) return { name: 'disk space', status: 'ok', detail };
  return {
    name: 'disk space',
    status: 'warn',
    detail: `${detail}: under ${formatBytes(LOW_FREE_BYTES)} or ${LOW_FREE_FRACTION * 100} %`,
    fix: `Free space there, or move store.path to a larger disk. When it fills, samples and alert state stop being stored: the agent tells the channels at once and records the hole as a gap, but the history has a hole.`,
  };
}

function checkFreeSpace(dbPath: string): Check {
  let dir = dirname(dbPath);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    const fs = statfsSync(dir);
    // bavail: what an unprivileged writer may still use (root may dip into the reserved blocks, briefly)
    return freeSpaceCheck({ dir, freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize });
  } catch (err) {
    return {
      name: 'disk space',
      status: 'warn',
      detail: `cannot read free space of ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      fix: 'Check that the folder of store.path / --db exists and is readable.',
    };
  }
}

function checkKmsg(path: string, enabled: boolean): Check {
  if (!enabled)
    return {
      name: 'kmsg',
      status: 'warn',
      detail: 'kernel.enabled is false: kills are recorded from counters only',
      fix: "Set kernel.enabled: true to record the kernel's own OOM reports.",
    };
  try {
    closeSync(openSync(path, constants.O_RDONLY | constants.O_NONBLOCK));
    return { name: 'kmsg', status: 'ok', detail: `${path} readable: OOM reports are recorded` };
  } catch (err) {
    return {
      name: 'kmsg',
      status: 'warn',
      detail: `${path} not readable (${(err as NodeJS.ErrnoException).code})`,
      fix: new KmsgUnreadableError(path).message,
    };
  }
}

function checkDatabase(dbPath: string): Check {
  if (onVirtualFs(dbPath)) return { name: 'database', status: 'fail', detail: `${dbPath} cannot hold a database`, fix: VIRTUAL_FS_FIX };
  if (!existsSync(dbPath)) {
    // The nearest existing ancestor decides: it must be a writable folder (the agent creates the rest).
    let dir = dirname(dbPath);
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    try {
      if (!statSync(dir).isDirectory()) {
        return {
          name: 'database',
          status: 'fail',
          detail: `${dbPath} cannot be created: ${dir} is a file, not a folder`,
          fix: 'Choose another store.path / --db.',
        };
      }
      accessSync(dir, constants.W_OK);
      return { name: 'database', status: 'ok', detail: `${dbPath} does not exist yet; oomwatch run will create it` };
    } catch {
      return {
        name: 'database',
        status: 'fail',
        detail: `${dbPath} cannot be created`,
        fix: `Make ${dir} writable for this user, or set store.path / --db.`,
      };
    }
  }
  try {
    const store = openStore(dbPath, { readonly: true });
    try {
      const corrupt = store.quickCheck();
      if (corrupt) {
        return { name: 'database', status: 'fail', detail: `${dbPath} is corrupt: ${corrupt}`, fix: storeFixFor('SQLITE_CORRUPT') };
      }
      const last = { ts: store.events.lastTickMs() };
      const size = statSync(dbPath).size + (existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0);
      return {
        name: 'database',
        status: 'ok',
        detail: `${dbPath}, ${formatBytes(size)}${last.ts ? `, last sample ${formatIso(last.ts)}` : ', no samples yet'}; quick_check ok`,
      };
    } finally {
      store.close();
    }
  } catch (err) {
    // A database of an older release: the agent upgrades it at its next start.
    if (err instanceof StoreOutdatedError)
      return { name: 'database', status: 'warn', detail: `${dbPath} is older than this release`, fix: err.message };
    return { name: 'database', status: 'fail', detail: `${dbPath}: ${(err as Error).message.split('. ')[0]}`, fix: (err as Error).message };
  }
}
