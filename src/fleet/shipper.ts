/**
 * The fleet shipper: a second consumer of the agent's durable outbox (the alert dispatcher is the first),
 * owning the channel FLEET_CHANNEL. It takes up to `batchSize` due rows, writes them to PostgreSQL in
 * one transaction, and marks them sent in one SQLite transaction. A failed batch waits with exponential
 * backoff and jitter; rows never expire, so a PostgreSQL that is down for a day loses nothing, and since the
 * central write skips rows already there, a batch cut off between the two commits is simply shipped again.
 * Its state (ok / failing / broken, pending rows) shows in `oomwatch alerts` like any channel's.
 */
import type pg from 'pg';
import type { Clock } from '../clock.js';
import type { Log } from '../log.js';
import { backoffMs } from '../notify/backoff.js';
import type { Store } from '../store/store.js';
import { describePgFailure } from './pg-client.js';
import { shipBatch } from './ship.js';
import { FLEET_CHANNEL, type FleetPayload } from './types.js';

export interface ShipperDeps {
  store: Pick<Store, 'outbox'>;
  log: Log;
  clock: Clock;
  pool: pg.Pool;
  /** host:port/db, for messages. */
  where: string;
  batchSize: number;
  retry: { initialBackoff: number; maxBackoff: number };
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random?: () => number;
  /** How often start() polls the outbox; kick() ships at once. Default 1 s. */
  pollIntervalMs?: number;
}

export interface Shipper {
  start(): void;
  stop(): Promise<void>;
  /** Ships every due batch now; resolves when done or when a batch failed (then it waits for its backoff). */
  drainOnce(): Promise<void>;
  kick(): void;
  /** Rows waiting to be shipped. */
  pending(): number;
}

export function createShipper(deps: ShipperDeps): Shipper {
  const log = deps.log.child({ mod: 'fleet' });
  const repo = deps.store.outbox.delivery;
  const random = deps.random ?? Math.random;
  let holdUntilMono = -Infinity;
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let failing = false;

  async function drain(): Promise<void> {
    while (!stopped && deps.clock.monotonicMs() >= holdUntilMono) {
      const rows = repo.due(FLEET_CHANNEL, deps.clock.nowMs(), deps.batchSize);
      if (rows.length === 0) return;
      const ids = rows.map((r) => r.id);
      try {
        const client = await deps.pool.connect();
        try {
          await shipBatch(
            client,
            rows.map((r) => r.draft as unknown as FleetPayload),
          );
        } finally {
          client.release();
        }
      } catch (err) {
        const failure = describePgFailure(err, deps.where);
        const attempt = Math.max(...rows.map((r) => r.attempts)) + 1;
        const delayMs = failure.retryable ? backoffMs(attempt, deps.retry, random) : deps.retry.maxBackoff;
        const doneMs = deps.clock.nowMs();
        if (stopped) return; // the database may be closed already; the rows stay pending
        holdUntilMono = deps.clock.monotonicMs() + delayMs;
        repo.markRetry(FLEET_CHANNEL, ids, doneMs, doneMs + delayMs, failure.message, failure.retryable ? 'failing' : 'broken');
        const fields = { rows: ids.length, attempt, retryInMs: delayMs, err: failure.message };
        if (!failing) log.warn(fields, 'shipping to the fleet database failed; the rows wait in the outbox');
        else log.debug(fields, 'shipping to the fleet database still fails');
        failing = true;
        return;
      }
      if (stopped) return;
      repo.markSent(FLEET_CHANNEL, ids, deps.clock.nowMs());
      if (failing) log.info({ rows: ids.length }, 'shipping to the fleet database works again');
      failing = false;
      log.debug({ rows: ids.length }, 'shipped to the fleet database');
    }
  }

  function drainOnce(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (!inFlight) {
      inFlight = drain()
        .catch((err: unknown) => log.error({ err }, 'fleet shipper error (the outbox keeps the rows)'))
        .finally(() => {
          inFlight = null;
        });
    }
    return inFlight;
  }

  return {
    start() {
      if (timer) return;
      stopped = false;
      timer = setInterval(() => void drainOnce(), deps.pollIntervalMs ?? 1_000);
      void drainOnce();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await inFlight;
      await deps.pool.end().catch(() => undefined);
    },
    drainOnce,
    kick() {
      if (!stopped) setImmediate(() => void drainOnce());
    },
    pending() {
      return repo.pendingCounts()[FLEET_CHANNEL] ?? 0;
    },
  };
}
