/**
 * The store facade: the one way into the database for the rest of oomwatch. `openStore` opens the file
 * (trust checks and migrations in db.ts) and returns a `Store` of typed repositories; modules receive the
 * repositories they need, never the database itself, and no file outside src/store/ holds SQL
 * (test/store/sql-boundary.test.ts). Repositories are built on first use, so a command that reads one table
 * prepares no statement for the others.
 */
import type { Database } from 'better-sqlite3';
import { StoreOutdatedError } from '../errors.js';
import type { Log } from '../log.js';
import { createAlertsRepo, type AlertsRepo } from './alerts-repo.js';
import { startCheckpointer } from './checkpointer.js';
import { applyAgentMemoryPragmas, isSqliteError, openDatabase, storeFileChange, type OpenOptions } from './db.js';
import { createEventsRepo, type EventsRepo } from './events-repo.js';
import { createHistoryQueries, type HistoryQueries } from './history-queries.js';
import { createIncidentsRepo, type IncidentsRepo, type KmsgCursor } from './incidents-repo.js';
import { createLockRepo, type LockRepo } from './lock-repo.js';
import { readMigrations } from './migrate.js';
import { createOutboxRepo, enqueueNotifications, listChannelHealth, type ChannelHealth, type OutboxRepo } from './outbox-repo.js';
import { createPolicyRepo, type PolicyRepo } from './policy-repo.js';
import { createWorkloadsRepo, type WorkloadsRepo } from './workloads-repo.js';
import { createKillerCursorRepo, type KillerCursorRepo } from './killer-cursor-repo.js';
import { createFleetRepo, type FleetRepo } from './fleet-repo.js';
import { pruneHistory, type PrunableTable, type PruneResult } from './prune.js';
import { createReportQueries, type ReportQueries } from './report-queries.js';
import { createReportRepo, type ReportRepo } from './report-repo.js';
import { SamplesRepo, type SamplesRepoOptions } from './samples-repo.js';
import type { IncidentView } from '../model/incident.js';
import type { NotificationDraft } from '../model/notification.js';

export type { OpenOptions };

/** Where the kernel watcher resumes /dev/kmsg: (boot id, next sequence number), saved with each incident. */
export interface KmsgCursorRepo {
  get(): KmsgCursor | null;
  save(cursor: KmsgCursor, nowMs: number): void;
}

/** The outbox as the alerts engine, the store alarm, the metrics and the CLI see it. */
export interface NotificationsRepo {
  /** One outbox row per draft, inside the caller's transaction (see outbox-repo.ts). */
  enqueue(drafts: NotificationDraft[]): void;
  /**
   * Calls `listener` each time rows were queued (alert notifications, a daily report, a store fault), so the
   * dispatcher delivers them at once instead of at its next poll. It may run inside the transaction that
   * queued them: the listener only schedules work. Returns the unsubscribe function.
   */
  onEnqueued(listener: () => void): () => void;
  /** Each channel's health; `configured` lists channels that never sent anything as 'ok'. */
  channelHealth(configured?: readonly string[]): ChannelHealth[];
  /** The dispatcher's view: due rows, attempts, the notification log. */
  readonly delivery: OutboxRepo;
}

export interface Store {
  /** The path the database was opened from (':memory:' for a test database). */
  readonly path: string;
  /**
   * Calls `listener` with each incident as stored, right after it was recorded (a kill from the kernel log
   * or the counters, an imported log), so the alerts engine evaluates it at once. Returns the unsubscribe function.
   */
  onIncidentRecorded(listener: (incident: IncidentView) => void): () => void;
  readonly events: EventsRepo;
  readonly lock: LockRepo;
  readonly incidents: IncidentsRepo;
  readonly kmsgCursor: KmsgCursorRepo;
  readonly alerts: AlertsRepo;
  readonly outbox: NotificationsRepo;
  readonly policy: PolicyRepo;
  /** The workload of each cgroup seen (migration 0010). */
  readonly workloads: WorkloadsRepo;
  /** Where each user-space killer log reader resumes (migration 0011). */
  readonly killerCursors: KillerCursorRepo;
  /** What fleet shipping has queued so far, and queueing more (src/fleet). */
  readonly fleet: FleetRepo;
  /** The daily report's periods (what was sent). */
  readonly reportPeriods: ReportRepo;
  /** What report assembly reads (report/index.ts). */
  readonly reports: ReportQueries;
  /** Stored ticks, instants and process histories (CLI views, incidents, the trend refill). */
  readonly history: HistoryQueries;
  /** The tick writer (one per agent: it caches identities). */
  createSamplesRepo(opts: SamplesRepoOptions): SamplesRepo;
  /** Runs `fn` in one transaction: everything it writes commits together or not at all. */
  transaction<T>(fn: () => T): T;
  /** Deletes history older than the cutoff in small batches (prune.ts). */
  pruneHistory(cutoffMs: number, batchRows: number, extra?: readonly PrunableTable[]): Promise<PruneResult>;
  /** Whether the file was deleted or replaced since it was opened (db.ts). */
  fileChange(): 'gone' | 'replaced' | null;
  /** The agent's memory settings for its long-lived connection (db.ts). */
  applyAgentMemoryPragmas(): void;
  /** WAL checkpoints in a worker thread (checkpointer.ts); null for an in-memory database. */
  startCheckpointer(log: Log): { stop(): Promise<void> } | null;
  /** Folds the WAL back into the file (a clean stop). */
  checkpoint(): void;
  /** SQLite's quick_check: null when the file is sound, else its first findings. */
  quickCheck(maxFindings?: number): string | null;
  readonly isOpen: boolean;
  close(): void;
}

/** The highest migration this release ships (migrations/NNNN_*.sql). */
export function codeSchemaVersion(): number {
  return Math.max(0, ...readMigrations().map((m) => m.version));
}

/** The highest migration applied to the database (0 when it has none). */
function schemaVersionOf(db: Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'").get();
  if (!table) return 0;
  return (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migration').get() as { v: number }).v;
}

/**
 * Opens the store. Read-write (the agent, import, protect): migrations are applied. Read-only (reports, CLI
 * queries, the daily report worker): nothing is written, so the schema version is checked once instead, and
 * a database older than this release is refused with a StoreOutdatedError that says to run the agent once.
 */
export function openStore(path: string, opts: OpenOptions = {}): Store {
  const db = openDatabase(path, opts);
  if (opts.readonly) {
    const have = schemaVersionOf(db);
    const want = codeSchemaVersion();
    if (have < want) {
      db.close();
      throw new StoreOutdatedError(path, have, want);
    }
  }
  return createStore(db, path);
}

/** The Store over an open database (openStore; tests that build a database row by row). */
export function createStore(db: Database, path: string = db.name): Store {
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const incidentListeners = new Set<(incident: IncidentView) => void>();
  const outboxListeners = new Set<() => void>();
  const subscribe = <L>(set: Set<L>, listener: L) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  const announceQueued = () => {
    for (const l of outboxListeners) l();
  };
  const incidents = lazy((): IncidentsRepo => {
    const repo = createIncidentsRepo(db);
    const announce = (r: { id: number; inserted: boolean }) => {
      if (!r.inserted || incidentListeners.size === 0) return r;
      const view = repo.get(r.id);
      if (view) for (const l of incidentListeners) l(view);
      return r;
    };
    return {
      ...repo,
      insertReport: (...args: Parameters<IncidentsRepo['insertReport']>) => announce(repo.insertReport(...args)),
      insertCounterIncident: (...args: Parameters<IncidentsRepo['insertCounterIncident']>) => announce(repo.insertCounterIncident(...args)),
    };
  });
  const events = lazy(() => createEventsRepo(db));
  const lock = lazy(() => createLockRepo(db));
  const alerts = lazy(() => createAlertsRepo(db));
  const delivery = lazy(() => createOutboxRepo(db));
  const policy = lazy(() => createPolicyRepo(db));
  const reportPeriods = lazy((): ReportRepo => {
    const repo = createReportRepo(db);
    return {
      ...repo,
      enqueueReport: (...args: Parameters<ReportRepo['enqueueReport']>) => {
        const queued = repo.enqueueReport(...args);
        if (queued) announceQueued();
        return queued;
      },
    };
  });
  const reports = lazy(() => createReportQueries(db));
  const workloads = lazy(() => createWorkloadsRepo(db));
  const killerCursors = lazy(() => createKillerCursorRepo(db));
  const fleet = lazy(() => createFleetRepo(db));
  const history = lazy(() => createHistoryQueries(db));
  const kmsgCursor: KmsgCursorRepo = {
    get: () => incidents().getCursor(),
    save: (cursor, nowMs) => incidents().saveCursor(cursor, nowMs),
  };
  const outbox: NotificationsRepo = {
    enqueue: (drafts) => {
      enqueueNotifications(db, drafts);
      if (drafts.length) announceQueued();
    },
    onEnqueued: (listener) => subscribe(outboxListeners, listener),
    channelHealth: (configured) => listChannelHealth(db, configured),
    get delivery() {
      return delivery();
    },
  };
  const store: Store = {
    path,
    onIncidentRecorded: (listener) => subscribe(incidentListeners, listener),
    get events() {
      return events();
    },
    get lock() {
      return lock();
    },
    get incidents() {
      return incidents();
    },
    kmsgCursor,
    get alerts() {
      return alerts();
    },
    outbox,
    get policy() {
      return policy();
    },
    get workloads() {
      return workloads();
    },
    get killerCursors() {
      return killerCursors();
    },
    get fleet() {
      return fleet();
    },
    get reportPeriods() {
      return reportPeriods();
    },
    get reports() {
      return reports();
    },
    get history() {
      return history();
    },
    createSamplesRepo: (opts) => new SamplesRepo(db, opts),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    pruneHistory: (cutoffMs, batchRows, extra) => pruneHistory(db, cutoffMs, batchRows, extra),
    fileChange: () => storeFileChange(db),
    applyAgentMemoryPragmas: () => applyAgentMemoryPragmas(db),
    startCheckpointer: (log) => (path === ':memory:' ? null : startCheckpointer(db, path, log)),
    checkpoint: () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    // quick_check reads every page and record, without the index cross-check.
    quickCheck: (maxFindings = 5) => {
      try {
        const rows = (db.pragma(`quick_check(${maxFindings})`) as { quick_check: string }[]).map((r) => r.quick_check);
        return rows.length === 1 && rows[0] === 'ok' ? null : rows.join('; ');
      } catch (err) {
        if (isSqliteError(err)) return (err as Error).message;
        throw err;
      }
    },
    get isOpen() {
      return db.open;
    },
    close: () => db.close(),
  };
  return store;
}
