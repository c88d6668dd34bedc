/**
 * The store alarm (AgentModule): tells a database that refuses writes (disk full, read-only, I/O error)
 * while it lasts. The outbox lives in that database, so the agent-health `store` notification cannot wait
 * there: at the first tick whose samples could not be stored it goes straight through the channels'
 * senders (Dispatcher.sendDirect). What a channel does not take is kept in memory, bounded, and tried again
 * at every tick. When a tick is stored again, the end of the fault and whatever is still undelivered are
 * written to the outbox, which delivers them durably from then on.
 * Place it after the notify module.
 */
import type { AgentModule, TickContext } from '../agent/module.js';
import type { Log } from '../log.js';
import type { StoreFault } from '../model/rule-state.js';
import type { Store } from '../store/store.js';
import type { Dispatcher } from './dispatcher.js';
import { messageFromDraft } from './message.js';
import type { NotificationDraft } from '../model/notification.js';

export interface StoreAlarmDeps {
  store: Pick<Store, 'outbox' | 'transaction'>;
  log: Log;
  /** The notifications that tell a fault or its end (the alerts engine's routing of agent-health alerts). */
  draftsFor: (fault: StoreFault, nowMs: number) => NotificationDraft[];
  /** The running dispatcher (null while none runs). */
  dispatcher: () => Dispatcher | null;
  /** How many undelivered notifications are kept in memory; the oldest go first. Default 100. */
  maxQueued?: number;
}

export function createStoreAlarmModule(deps: StoreAlarmDeps): AgentModule & { queued(): number; idle(): Promise<void> } {
  const log = deps.log.child({ mod: 'store-alarm' });
  const maxQueued = deps.maxQueued ?? 100;
  let fault: StoreFault | null = null;
  /** Undelivered, oldest first. A draft being sent is out of the queue, so it is never also written to the outbox. */
  let queue: NotificationDraft[] = [];
  let dropped = 0;
  let sending: Promise<void> | null = null;

  const push = (drafts: NotificationDraft[]) => {
    queue.push(...drafts);
    if (queue.length > maxQueued) {
      const over = queue.length - maxQueued;
      queue.splice(0, over);
      if (dropped === 0)
        log.warn(
          { maxQueued },
          `store alarm queue full: the oldest undelivered notifications are dropped (at most ${maxQueued} are kept while the database is unwritable)`,
        );
      dropped += over;
    }
  };

  const sendQueued = async (dispatcher: Dispatcher) => {
    const batch = queue.splice(0);
    const failedDrafts: NotificationDraft[] = [];
    for (const draft of batch) {
      const outcome = await dispatcher.sendDirect(messageFromDraft(draft));
      if (outcome.ok)
        log.info(
          { channel: draft.channel, state: draft.alerts[0]?.state },
          'database fault told straight to the channel (without the database)',
        );
      else {
        failedDrafts.push(draft);
        log.warn(
          { channel: draft.channel, err: outcome.error.message },
          'database fault not delivered; kept in memory and tried again at the next tick',
        );
      }
    }
    queue = [...failedDrafts, ...queue];
  };

  /** The database takes writes: hand what is left to the outbox. False when it still cannot. */
  const toOutbox = (): boolean => {
    try {
      deps.store.transaction(() => deps.store.outbox.enqueue(queue));
    } catch (err) {
      log.debug({ err }, 'outbox not writable yet; the store alarm keeps its queue');
      return false;
    }
    queue = [];
    if (dropped) log.warn({ dropped }, `${dropped} store-alarm notification(s) were dropped while the database was unwritable`);
    dropped = 0;
    deps.dispatcher()?.kick();
    return true;
  };

  return {
    name: 'store-alarm',
    /** Notifications waiting in memory. */
    queued: () => queue.length,
    /** Resolves when no direct send is running. */
    idle: async () => {
      await sending;
    },
    onTick(tc: TickContext) {
      if (tc.storeProblem && !fault) {
        fault = { message: tc.storeProblem, sinceMs: tc.nowMs };
        push(deps.draftsFor(fault, tc.nowMs));
      } else if (!tc.storeProblem && fault) {
        push(deps.draftsFor({ ...fault, endedMs: tc.nowMs }, tc.nowMs));
        fault = null;
      }
      if (queue.length === 0) return;
      if (!fault) {
        if (toOutbox()) return;
      }
      const dispatcher = deps.dispatcher();
      if (dispatcher && !sending) {
        sending = sendQueued(dispatcher)
          .catch((err: unknown) => log.error({ err }, 'store alarm: sending failed'))
          .finally(() => {
            sending = null;
          });
      }
    },
    async stop() {
      await sending;
      if (queue.length && !toOutbox())
        log.warn(
          { undelivered: queue.length },
          'stopping with database-fault notifications undelivered (the database still refuses writes)',
        );
    },
  };
}
