/**
 * Benchmark: building the forensic incident report and the daily report over a synthetic 14-day history
 * of 2,000 processes at the real schema (goal: under 2 s each). Rows are written straight into the
 * migrated tables with prepared statements (SamplesRepo would take minutes for 120,960 ticks): a tick every
 * 10 s, a keyframe every 5 minutes (every process), between keyframes the ~1 % of processes that changed;
 * 20 memory cgroups; one memory-cgroup kill near the end with a 60-row task table.
 *
 *   npx tsc -p . && node dist/scripts/bench/report.js [days=14] [processes=2000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OomReport } from '../../src/model/kernel-report.js';
import { buildInThread, buildInWorker } from '../../src/report/daily-build.js';
import { buildDailyReport, buildIncidentReport, renderDailyEmail, renderReport } from '../../src/report/index.js';
import { findIncident } from '../../src/store/report-queries.js';
import { createStore } from '../../src/store/store.js';
import { openDatabase } from '../../src/store/db.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';

const days = Number(process.argv[2] ?? 14);
const nProc = Number(process.argv[3] ?? 2000);
const STEP_MS = 10_000;
const KEYFRAME_EVERY = 30; // ticks: 5 minutes
const N_CGROUPS = 20;
const BOOT = 'bench-boot';
const HOST = 'bench-host';
const START_MS = Date.UTC(2026, 10, 1);
const nTicks = Math.round((days * 86_400_000) / STEP_MS);
const END_MS = START_MS + nTicks * STEP_MS;

const dir = mkdtempSync(join(tmpdir(), 'oomwatch-bench-report-'));
const dbPath = join(dir, 'bench.db');
const db = openDatabase(dbPath);
db.pragma('synchronous = OFF');

// Deterministic pseudo-random numbers (the figures must be comparable between runs).
let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

const t0 = performance.now();
const insProc =
  db.prepare(`INSERT INTO process (id, boot_id, pid, start_time_ticks, ppid, uid, comm, cmdline, exe, cgroup, unit, first_tick_id, first_seen_ms, last_tick_id, last_seen_ms)
  VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?, ?, ?, 1, ?, ?, ?)`);
const insCg = db.prepare('INSERT INTO cgroup (id, path, version) VALUES (?, ?, 2)');
const insTick =
  db.prepare(`INSERT INTO tick (id, ts_ms, boot_id, hostname, keyframe, scale, mem_total_kib, mem_available_kib, mem_free_kib, swap_total_kib, swap_free_kib,
  psi_some_avg10, psi_some_avg60, psi_some_avg300, psi_full_avg10, psi_full_avg60, psi_full_avg300, vmstat_oom_kill, n_listed, n_sampled, n_gone, n_denied, host_top_process_id, duration_us)
  VALUES (?, ?, ?, ?, ?, 'new', 67108864, ?, ?, 0, 0, ?, 0, 0, 0, 0, 0, 0, ?, ?, 0, 0, ?, 40000)`);
const insSample = db.prepare(
  'INSERT INTO sample (tick_id, process_id, rss_kib, swap_kib, pgtables_kib, oom_score, oom_score_adj) VALUES (?, ?, ?, 0, ?, ?, ?)',
);
const insCgSample =
  db.prepare(`INSERT INTO cgroup_sample (tick_id, cgroup_id, usage_kib, limit_kib, swap_usage_kib, swap_limit_kib, oom_kill_count, oom_count, top_process_id)
  VALUES (?, ?, ?, ?, 0, 0, 0, 0, ?)`);

const rssKib: number[] = [];
const adj: number[] = [];
const cgOf: number[] = [];
const TOTAL_KIB = 64 * 1024 * 1024;
const score = (i: number) => Math.floor(((1000 + Math.floor((rssKib[i] * 1000) / TOTAL_KIB) + adj[i]) * 2) / 3);
db.transaction(() => {
  for (let c = 1; c <= N_CGROUPS; c++) insCg.run(c, `/system.slice/app${c}.service`);
  for (let i = 0; i < nProc; i++) {
    rssKib[i] = Math.round(2048 + rnd() * 400_000);
    adj[i] = i % 50 === 0 ? -900 : i % 37 === 0 ? 500 : 0;
    cgOf[i] = i < N_CGROUPS * 10 ? 1 + (i % N_CGROUPS) : 0;
    const cgroup = cgOf[i] ? `/system.slice/app${cgOf[i]}.service` : `/user.slice/session-${i % 7}.scope`;
    insProc.run(
      i + 1,
      BOOT,
      1000 + i,
      100_000 + i,
      `proc-${i}`,
      `/usr/bin/proc-${i} --worker ${i}`,
      `/usr/bin/proc-${i}`,
      cgroup,
      cgroup.split('/').pop(),
      START_MS,
      END_MS,
      nTicks,
    );
  }
})();

let rows = 0;
const writeDay = db.transaction((fromTick: number, toTick: number) => {
  for (let t = fromTick; t < toTick; t++) {
    const ts = START_MS + t * STEP_MS;
    const keyframe = t % KEYFRAME_EVERY === 0;
    // ~1 % of processes move between keyframes; one leaker (process 7) grows steadily.
    const changed = keyframe ? null : new Set(Array.from({ length: Math.ceil(nProc / 100) }, () => Math.floor(rnd() * nProc)));
    rssKib[7] += 3;
    let top = 0;
    for (let i = 0; i < nProc; i++) if (score(i) > score(top)) top = i;
    const avail = Math.round(TOTAL_KIB * (0.35 + 0.25 * Math.sin(t / 900)));
    insTick.run(
      t + 1,
      ts,
      BOOT,
      HOST,
      keyframe ? 1 : 0,
      avail,
      Math.round(avail / 2),
      Math.max(0, 30 * Math.sin(t / 700)),
      nProc,
      nProc,
      top + 1,
    );
    const write = (i: number) => {
      insSample.run(t + 1, i + 1, rssKib[i], 256, score(i), adj[i]);
      rows++;
    };
    if (keyframe) for (let i = 0; i < nProc; i++) write(i);
    else {
      for (const i of changed!) {
        rssKib[i] = Math.max(1024, Math.round(rssKib[i] * (0.9 + rnd() * 0.22)));
        write(i);
      }
      if (!changed!.has(7) && t % 5 === 0) write(7);
    }
    if (keyframe || t % 6 === 0) {
      for (let c = 1; c <= N_CGROUPS; c++) {
        let usage = 0;
        for (let i = c - 1; i < N_CGROUPS * 10; i += N_CGROUPS) usage += rssKib[i];
        insCgSample.run(t + 1, c, usage, 4 * 1024 * 1024, c);
      }
    }
  }
});
const perDay = 86_400_000 / STEP_MS;
for (let t = 0; t < nTicks; t += perDay) writeDay(t, Math.min(nTicks, t + perDay));
db.pragma('synchronous = NORMAL');

const killMs = END_MS - 3 * 3_600_000;
const page = (kib: number) => Math.round(kib / 4);
const victim = 3; // in /system.slice/app4.service
const tasks = Array.from({ length: 60 }, (_, k) => {
  const i = victim + k * N_CGROUPS;
  return {
    pid: 1000 + (i % nProc),
    uid: 0,
    tgid: 1000 + (i % nProc),
    totalVmPages: page(rssKib[i % nProc] * 2),
    rssPages: page(rssKib[i % nProc]),
    rssAnonPages: null,
    rssFilePages: null,
    rssShmemPages: null,
    pgtablesBytes: 262144,
    nrPtes: null,
    swapents: 0,
    oomScoreAdj: adj[i % nProc],
    name: `proc-${i % nProc}`,
  };
});
const report: OomReport = {
  trigger: { comm: 'proc-3', pid: 1003, gfpMask: '0xcc0', gfpFlags: 'GFP_KERNEL', order: 0, oomScoreAdj: 0 },
  constraint: 'memcg',
  constraintRaw: 'CONSTRAINT_MEMCG',
  oomMemcg: '/system.slice/app4.service',
  taskMemcg: '/system.slice/app4.service',
  cpuset: '/',
  memsAllowed: '0',
  memcgCounters: [{ kind: 'memory', usageBytes: 4 * 1024 ** 3, limitBytes: 4 * 1024 ** 3, failcnt: 10 }],
  victim: {
    pid: 1003,
    comm: 'proc-3',
    uid: 0,
    totalVmBytes: rssKib[victim] * 2048,
    anonRssBytes: rssKib[victim] * 1024,
    fileRssBytes: 0,
    shmemRssBytes: 0,
    pageTablesBytes: 262144,
    oomScoreAdj: 0,
    selectedPid: null,
    selectedScore: null,
  },
  tasks,
  taskColumns: ['pid', 'uid', 'tgid', 'total_vm', 'rss', 'pgtables_bytes', 'swapents', 'oom_score_adj', 'name'],
  reaper: null,
  flags: [],
  monotonicUs: 1,
  wallMs: killMs,
  wallExact: true,
  firstSeq: 1,
  killSeq: 2,
  bootId: BOOT,
  hostname: HOST,
  rawLines: [],
};
const { id } = createIncidentsRepo(db).insertReport(report, { source: 'kmsg', hostname: HOST, bootId: BOOT, nowMs: killMs });
db.exec('ANALYZE');
const genS = (performance.now() - t0) / 1000;
const sizeMiB = statSync(dbPath).size / 1024 ** 2;
console.log(
  `history: ${days} d × ${nProc} processes, ${nTicks} ticks, ${rows} sample rows, ${sizeMiB.toFixed(0)} MiB, generated in ${genS.toFixed(1)} s`,
);

function time<T>(label: string, fn: () => T, runs = 3, goal = 'goal < 2000 ms'): T {
  let result!: T;
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const a = performance.now();
    result = fn();
    ms.push(performance.now() - a);
  }
  console.log(
    `${label.padEnd(46)} first ${ms[0].toFixed(0).padStart(5)} ms   best ${Math.min(...ms)
      .toFixed(0)
      .padStart(5)} ms   ${goal}`,
  );
  return result;
}

const incident = findIncident(db, { id });
const inc = time('incident report (30m window, build)', () =>
  buildIncidentReport(createStore(db).reports, { incident, atMs: killMs, windowMs: 30 * 60_000, host: HOST, timeZone: 'UTC' }),
);
time('incident report (30m window, build + html)', () =>
  renderReport(
    buildIncidentReport(createStore(db).reports, { incident, atMs: killMs, windowMs: 30 * 60_000, host: HOST, timeZone: 'UTC' }),
    'html',
  ),
);
time('instant report (--at, host domain, 30m)', () =>
  buildIncidentReport(createStore(db).reports, { incident: null, atMs: killMs, windowMs: 30 * 60_000, host: HOST, timeZone: 'UTC' }),
);
const daily = time('daily report (24h, build)', () =>
  buildDailyReport(createStore(db).reports, { fromMs: END_MS - 86_400_000, toMs: END_MS, host: HOST, timeZone: 'UTC', topN: 10 }),
);
time('daily report (24h, build + email html + text)', () =>
  renderDailyEmail(
    buildDailyReport(createStore(db).reports, { fromMs: END_MS - 86_400_000, toMs: END_MS, host: HOST, timeZone: 'UTC', topN: 10 }),
  ),
);
// The longest catch-up period (the agent was down for a week): no goal, shown for scale.
time(
  'daily report over 7 days (catch-up, build)',
  () => buildDailyReport(createStore(db).reports, { fromMs: END_MS - 7 * 86_400_000, toMs: END_MS, host: HOST, timeZone: 'UTC', topN: 10 }),
  1,
  '(no goal)',
);
console.log(
  `check: culprit ${inc.culprit?.comm ?? '-'}, ${inc.rankings.length} rankings, daily top ${daily.topRisk[0]?.comm ?? '-'} of ${daily.topRisk.length + daily.topRiskMore}`,
);

// The agent builds the daily email in a worker thread: how long its event loop is held meanwhile.
async function loopBlockDuring(label: string, work: () => Promise<unknown>): Promise<void> {
  let maxGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last - 5);
    last = now;
  }, 5);
  const a = performance.now();
  await work();
  const took = performance.now() - a;
  await new Promise((r) => setTimeout(r, 20)); // let the timer see a block that just ended
  clearInterval(timer);
  console.log(`${label.padEnd(46)} took ${took.toFixed(0).padStart(5)} ms   event loop held at most ${maxGap.toFixed(0)} ms`);
}
const req = (daysBack: number) => ({ dbPath, fromMs: END_MS - daysBack * 86_400_000, toMs: END_MS, host: HOST, timeZone: 'UTC', topN: 10 });
await loopBlockDuring('daily email, 24h, in a worker thread (agent)', () => buildInWorker(req(1)));
await loopBlockDuring('daily email, 7 days, in a worker thread (agent)', () => buildInWorker(req(7)));
await loopBlockDuring('daily email, 24h, on the main thread', () => buildInThread(createStore(db).reports)(req(1)));
db.close();
rmSync(dir, { recursive: true, force: true });
