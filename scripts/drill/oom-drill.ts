/**
 * oom-drill: a real OOM kill on this host, recorded end to end. Creates a throwaway memory cgroup with
 * a small limit, runs a process that grows past it, follows /dev/kmsg with the same watcher the agent
 * runs, prints the incident as `oomwatch incident` would, and removes the cgroup whatever happens.
 *
 * It writes to its own temporary database (never the agent's: two readers of /dev/kmsg must not share
 * a cursor). A running oomwatch agent records the same kill in its own store: `oomwatch incidents --since 5m`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import type { IncidentView } from '../../src/model/incident.js';
import { renderIncidentDetail } from '../../src/kernel/render-incident.js';
import { createKernelWatcher } from '../../src/kernel/watcher.js';
import { createLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { createOomCgroup, memoryCgroupSupport, oomKillCount, removeOomCgroup, runHogInCgroup, type OomCgroup } from './oom-cgroup.js';
import { createStore } from '../../src/store/store.js';

function usage(): never {
  process.stderr.write('usage: scripts/oom-drill [--limit-mib N] [--db PATH] [--json]\n');
  process.exit(64);
}

async function main(argv: string[]): Promise<number> {
  let limitMib = 64;
  let dbPath: string | null = null;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--limit-mib' && /^\d+$/.test(argv[i + 1] ?? '')) limitMib = Number(argv[++i]);
    else if (argv[i] === '--db' && argv[i + 1]) dbPath = argv[++i];
    else if (argv[i] === '--json') json = true;
    else usage();
  }
  const say = (s: string) => process.stderr.write(`oom-drill: ${s}\n`);
  const support = memoryCgroupSupport();
  if (!support.ok) {
    say(`cannot run: ${support.reason}.`);
    return 77;
  }
  const tmpDir = mkdtempSync(join(tmpdir(), 'oomwatch-drill-'));
  const db = openDatabase(dbPath ?? join(tmpDir, 'drill.db'));
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const seen: IncidentView[] = [];
  const watcher = createKernelWatcher({
    store: createStore(db),
    log: createLogger({ level: 'warn' }),
    clock: systemClock,
    kmsgPath: '/dev/kmsg',
    bootId,
    hostname: hostname(),
    onIncident: (i) => seen.push(i),
  });
  let cg: OomCgroup | null = null;
  try {
    watcher.start();
    const st = watcher.status();
    if (!st.readable) {
      say(`cannot follow the kernel log: ${st.problem}`);
      return 77;
    }
    cg = createOomCgroup({ limitBytes: limitMib * 1024 * 1024, name: `oomwatch-drill-${process.pid}-${Date.now().toString(36)}` });
    say(`created cgroup v${cg.version} ${cg.dir} with a ${limitMib} MiB limit`);
    const hog = await runHogInCgroup(cg, { comm: 'oomwatch-drill', maxMb: limitMib * 4 });
    say(`started pid ${hog.pid} (start time ${hog.startTimeTicks} ticks) growing 1 MiB at a time`);
    const end = await hog.exited;
    say(`pid ${hog.pid} ended by ${end.signal ?? `exit ${end.code}`}; the cgroup's oom_kill counter reads ${oomKillCount(cg)}`);
    const t0 = Date.now();
    const mine = (i: IncidentView) => i.victim?.pid === hog.pid && i.oomMemcg === cg!.cgroupPath;
    while (!seen.some(mine) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    const inc = seen.find(mine);
    if (!inc) {
      say(`no kernel report for pid ${hog.pid} within 10 s (is the kernel log rate-limited or going elsewhere?)`);
      return 1;
    }
    const row = db.prepare('SELECT ts_ms, created_ms FROM incident WHERE id = ?').get(inc.id) as { ts_ms: number; created_ms: number };
    const tasks = createIncidentsRepo(db).tasks(inc.id!);
    if (json) process.stdout.write(`${JSON.stringify({ incident: inc, tasks, recordToCommitMs: row.created_ms - row.ts_ms }, null, 2)}\n`);
    else {
      process.stdout.write(`${renderIncidentDetail(inc, tasks)}\n\n`);
      process.stdout.write(`kernel record → committed row: ${row.created_ms - row.ts_ms} ms\n`);
      process.stdout.write('A running oomwatch agent recorded it too: oomwatch incidents --since 5m\n');
    }
    return inc.constraint === 'memcg' ? 0 : 1;
  } finally {
    await watcher.stop();
    if (cg) {
      await removeOomCgroup(cg);
      say(`removed ${cg.dir}`);
    }
    db.close();
    if (!dbPath) rmSync(tmpDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`oom-drill: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
