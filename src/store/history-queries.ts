/**
 * Stored history bound to one database: ticks, the host as it was at an instant, process identities and
 * their samples, the ranking of next victims at an instant. The functions live in samples-query.ts,
 * snapshot-sweep.ts and incidents-history.ts; this is how the Store (store.ts) hands them out.
 */
import type { Database } from 'better-sqlite3';
import type { HostSnapshot } from '../model/snapshot.js';
import { lastSamples, rankedCandidates, type RankedDomain, type SampledPoint } from './incidents-history.js';
import {
  findProcesses,
  processSamples,
  snapshotAt,
  tickAt,
  ticksBetween,
  type ProcessRow,
  type SampleRow,
  type TickRow,
} from './samples-query.js';
import { bootTicksBetween, snapshotsAtTicks, sweepSnapshots } from './snapshot-sweep.js';

export function createHistoryQueries(db: Database) {
  return {
    tickAt: (tsMs: number): TickRow | null => tickAt(db, tsMs),
    ticksBetween: (fromMs: number, toMs: number): TickRow[] => ticksBetween(db, fromMs, toMs),
    bootTicksBetween: (bootId: string, fromMs: number, toMs: number): TickRow[] => bootTicksBetween(db, bootId, fromMs, toMs),
    /** The host as sampled at the last tick at or before `tsMs`. */
    snapshotAt: (tsMs: number): HostSnapshot | null => snapshotAt(db, tsMs),
    snapshotsAtTicks: (ticks: readonly TickRow[], withProcesses?: (tick: TickRow) => boolean): HostSnapshot[] =>
      snapshotsAtTicks(db, ticks, withProcesses),
    sweepSnapshots: (ticks: readonly TickRow[], withProcesses?: (tick: TickRow) => boolean): Generator<HostSnapshot | null> =>
      sweepSnapshots(db, ticks, withProcesses),
    findProcesses: (pidOrName: string, sinceMs: number): ProcessRow[] => findProcesses(db, pidOrName, sinceMs),
    processSamples: (processId: number, fromMs: number, toMs: number): SampleRow[] => processSamples(db, processId, fromMs, toMs),
    lastSamples: (processId: number, beforeMs: number, limit?: number): SampledPoint[] => lastSamples(db, processId, beforeMs, limit),
    rankedCandidates: (q: { bootId: string; atMs: number; cgroup: string | null; limit?: number }): RankedDomain | null =>
      rankedCandidates(db, q),
  };
}

export type HistoryQueries = ReturnType<typeof createHistoryQueries>;
