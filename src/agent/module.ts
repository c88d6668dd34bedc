import type { Config } from '../config/schema.js';
import type { Clock } from '../clock.js';
import type { Log } from '../log.js';
import type { HostSnapshot } from '../model/snapshot.js';
import type { HostFacts } from '../sample/host.js';
import type { ProcFs } from '../sample/procfs.js';
import type { Store } from '../store/store.js';

/** What every part of the agent gets at start. */
export interface AgentContext {
  config: Config;
  /** The database's repositories (src/store/store.ts); `store.path` is the file it was opened from. */
  store: Store;
  log: Log;
  clock: Clock;
  facts: HostFacts;
  /** The gateway the sampler reads (sample.procRoot, possibly a fixture tree): the policy writes below it too. */
  procfs: ProcFs;
  /** The real /proc of the host the agent runs on: the agent's own identity, limits, capabilities and uptime. */
  selfProc: ProcFs;
}

export interface TickContext {
  snapshot: HostSnapshot;
  previous: HostSnapshot | null;
  tickId: number;
  /** False after a gap (suspend, clock jump, stall): nothing may fire or resolve on this data. */
  fresh: boolean;
  nowMs: number;
  durationMs: number;
  missedTicks: number;
  /**
   * While the database refuses writes (disk full, read-only…): the first failure's message, which names the
   * fix; null when this tick was stored.
   */
  storeProblem?: string | null;
}

/** A part of the agent (kernel watcher, alerts, dispatcher, policy, metrics). All hooks are optional. */
export interface AgentModule {
  readonly name: string;
  start?(): void | Promise<void>;
  onTick?(tick: TickContext): void | Promise<void>;
  /** The config was reloaded (SIGHUP); a module that cannot apply it live may ignore it. */
  reload?(config: Config): void;
  stop?(): void | Promise<void>;
}
