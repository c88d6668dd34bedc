import type { Command } from 'commander';
import { UsageError, NotFoundError, StoreOutdatedError } from '../../errors.js';
import { createSampler } from '../../sample/host.js';
import { cgroupWithin } from '../../sample/match.js';
import type { HostSnapshot } from '../../model/snapshot.js';
import { parseDurationMs, parseTimeMs } from '../../util/duration.js';
import { loadCommandConfig, printJson, resolveDbPath, openCommandStore } from '../common.js';
import type { CliIo } from '../io.js';
import type { Store } from '../../store/store.js';
import { renderDomainTable, renderHostLine, renderStaleNote, topRows } from '../render/top.js';
import { TOP_SCHEMA_ID, type TopJson } from '../json/top.js';
import { existsSync } from 'node:fs';
import { createWorkloadLookup, type WorkloadLookup } from '../../workload/lookup.js';

interface TopOptions {
  at?: string;
  cgroup?: string;
  json?: boolean;
  watch?: boolean;
  interval: string;
  limit: string;
  config?: string;
  db?: string;
  procRoot?: string;
}

const TREND_MS = 5 * 60_000;

export function registerTop(program: Command, io: CliIo): void {
  program
    .command('top')
    .description('Who the kernel would kill next in each OOM domain, now or at a past instant')
    .option('--at <time>', 'a past instant from the store: ISO time (without an offset: in report.daily.timeZone), or a duration ago (15m)')
    .option('--cgroup <path>', 'only the domain of this memory cgroup (and the host domain)')
    .option('--json', 'print JSON')
    .option('--watch', 'live view that refreshes in place (Ctrl-C to quit)')
    .option('--interval <duration>', 'refresh interval for --watch', '2s')
    .option('--limit <n>', 'processes per domain', '10')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database (for --at and trends)')
    .option('--proc-root <dir>', 'procfs root')
    .action(async (opts: TopOptions) => {
      const { config } = loadCommandConfig(io, opts.config);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UsageError(`--limit: expected a positive integer, got ${JSON.stringify(opts.limit)}.`);
      const dbPath = resolveDbPath(config, opts.db, io.env);
      const store = existsSync(dbPath) ? openTrendStore(io, dbPath, Boolean(opts.at)) : null;
      try {
        if (opts.at) {
          if (!store)
            throw new NotFoundError(`No database at ${dbPath}: --at needs the agent's history. Run oomwatch run first, or pass --db.`);
          const at = parseTimeMs(opts.at, Date.now(), config.report.daily.timeZone);
          if (at === null)
            throw new UsageError(`--at: expected an ISO time or a duration ago such as 15m, got ${JSON.stringify(opts.at)}.`);
          const snap = store.history.snapshotAt(at);
          if (!snap) throw new NotFoundError(`No samples at or before ${new Date(at).toISOString()} in ${dbPath}.`);
          // Past the last sample (the agent stopped, or a gap): say how old the data is, not present it as that instant.
          const ageMs = at - snap.takenAtMs;
          const stale = ageMs > 2 * config.sample.interval ? { ageMs, zone: config.report.daily.timeZone } : null;
          // The past: the workloads as stored then (containers since gone are still named).
          return print(io, snap, store.history.snapshotAt(at - TREND_MS), opts, limit, createWorkloadLookup(store.workloads, null), stale);
        }
        const { sampler } = createSampler({
          procRoot: opts.procRoot ?? config.sample.procRoot,
          cgroupRoot: config.sample.cgroupRoot,
          refreshEveryMs: config.sample.keyframeEvery,
          hostname: config.agent.hostname,
        });
        const now = Date.now();
        const snap = sampler.takeSnapshot(now);
        const workloadOf = createWorkloadLookup(store?.workloads ?? null, config.workload);
        if (!opts.watch) return print(io, snap, store ? store.history.snapshotAt(now - TREND_MS) : null, opts, limit, workloadOf);
        const intervalMs = parseDurationMs(opts.interval);
        if (!intervalMs || intervalMs < 200)
          throw new UsageError(`--interval: expected a duration of at least 200ms, got ${JSON.stringify(opts.interval)}.`);
        await watch(io, () => sampler.takeSnapshot(Date.now()), snap, opts, limit, intervalMs, workloadOf);
      } finally {
        store?.close();
      }
    });
}

/**
 * The history for --at (required) or for the live view's trend (optional): the live view of a host whose
 * database the new release has not upgraded yet shows no trend rather than refusing to run.
 */
function openTrendStore(io: CliIo, dbPath: string, required: boolean): Store | null {
  try {
    return openCommandStore(io, dbPath, { readonly: true });
  } catch (err) {
    if (!required && err instanceof StoreOutdatedError) return null;
    throw err;
  }
}

function print(
  io: CliIo,
  snap: HostSnapshot,
  earlier: HostSnapshot | null,
  opts: TopOptions,
  limit: number,
  workloadOf: WorkloadLookup,
  stale: { ageMs: number; zone: string } | null = null,
): void {
  const domains = snap.domains.filter(
    (d) => d.kind === 'host' || !opts.cgroup || cgroupWithin(d.id, opts.cgroup) || cgroupWithin(opts.cgroup, d.id),
  );
  if (opts.cgroup && !domains.some((d) => d.kind === 'cgroup')) {
    throw new NotFoundError(`No memory-limited cgroup at or above ${opts.cgroup}: only cgroups with a memory limit are OOM domains.`);
  }
  if (opts.json) {
    const doc: TopJson = {
      schema: TOP_SCHEMA_ID,
      at: new Date(snap.takenAtMs).toISOString(),
      ...(stale ? { dataAgeMs: stale.ageMs } : {}),
      host: snap.hostname,
      memory: snap.memory,
      domains: domains.map((d) => ({
        kind: d.kind,
        id: d.id,
        totalBytes: d.totalBytes,
        nextVictims: topRows(snap, d, earlier, limit, workloadOf),
      })),
    };
    return printJson(io, doc);
  }
  const note = stale ? [renderStaleNote(snap.takenAtMs, stale.ageMs, stale.zone)] : [];
  io.out(
    [
      ...note,
      renderHostLine(snap),
      ...domains.map((d) => `\n${renderDomainTable(snap, d, topRows(snap, d, earlier, limit, workloadOf))}`),
    ].join('\n'),
  );
}

/** The live monitor: clears the screen, redraws, marks what changed since the last refresh. */
async function watch(
  io: CliIo,
  take: () => HostSnapshot,
  first: HostSnapshot,
  opts: TopOptions,
  limit: number,
  intervalMs: number,
  workloadOf: WorkloadLookup,
): Promise<void> {
  let prev: HostSnapshot | null = null;
  let cur = first;
  let stop = false;
  const onSig = () => (stop = true);
  process.once('SIGINT', onSig);
  try {
    while (!stop) {
      const body: string[] = [];
      const domains = cur.domains.filter((d) => d.kind === 'host' || !opts.cgroup || cgroupWithin(d.id, opts.cgroup));
      for (const d of domains) body.push(renderDomainTable(cur, d, topRows(cur, d, prev, limit, workloadOf)));
      io.out(
        `${io.isTty ? '\x1b[H\x1b[2J' : ''}${renderHostLine(cur)}\n(+ new since last refresh, ^ moved up, v moved down; Ctrl-C to quit)\n\n${body.join('\n\n')}`,
      );
      await new Promise((r) => setTimeout(r, intervalMs));
      prev = cur;
      cur = take();
    }
  } finally {
    process.off('SIGINT', onSig);
  }
}
