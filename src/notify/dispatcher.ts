/**
 * Delivers the outbox. Per channel: one send at a time, a rate limit (`minInterval`; Slack 1 message/s per
 * webhook), retries with exponential backoff + jitter (randomness injected) or the server's Retry-After,
 * and a digest when more than `digestAbove` notifications wait at once. Time comes from the injected Clock
 * (rate limits and holds on the monotonic clock; outbox times on the wall clock).
 *
 * Delivery guarantee: a row is marked sent in the same transaction that writes its notification-log row,
 * and a row the log records as sent is never sent again. The one at-least-once window is a crash while a
 * request is out (from its start until the sent mark commits): the server may have delivered it. Slack and
 * email have no idempotency key to close it (Alertmanager has the same window), so it is kept as narrow as
 * the outbox can make it: the attempt's start is committed before the request (markStarted), and after a
 * restart only such cut-off rows are sent again, once the channel's timeout has passed since that start
 * (the server has answered or given up by then), with a note that the message may have been sent twice.
 * A row whose attempt never started is sent normally, once. A send cut off by the backstop below that the
 * server still completes later is the other, rarer, case.
 *
 * A permanent failure (revoked webhook, SMTP authentication refused) marks the channel broken: its rows stay
 * pending and the channel is tried again every retry.maxBackoff, so fixing it delivers them; onChannelBroken
 * lets the rules engine raise an agent-health alert on the other channels.
 */
import type { Clock } from '../clock.js';
import type { ResolvedChannel } from './config.js';
import { NotifyError } from '../errors.js';
import type { Log } from '../log.js';
import type { OutboxRow } from '../store/outbox-repo.js';
import type { Store } from '../store/store.js';
import { FLEET_CHANNEL } from '../fleet/types.js';
import { formatDurationMs } from '../util/duration.js';
import { backoffMs } from './backoff.js';
import { digestFromDrafts, messageFromDraft, type OutboundMessage } from './message.js';
import type { Notifier } from './notifier.js';
import { failed, type SendOutcome } from './outcome.js';
import { createNotifier } from './registry.js';
import type { AlertView } from '../model/alert.js';

export interface DispatcherDeps {
  store: Pick<Store, 'outbox'>;
  log: Log;
  clock: Clock;
  channels: readonly ResolvedChannel[];
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random?: () => number;
  /** Called once when a channel turns broken (permanent failure). */
  onChannelBroken?: (channel: string, error: NotifyError) => void;
  /** Called once when a broken channel delivers again. */
  onChannelRecovered?: (channel: string) => void;
  /** Senders by channel name; default: built from `channels` by the registry. */
  notifiers?: Record<string, Notifier>;
  /** The console channel's writer (default: stderr). */
  writeConsole?: (text: string) => void;
  /** How often start() polls the outbox; kick() drains at once. Default 250 ms. */
  pollIntervalMs?: number;
}

export interface Dispatcher {
  start(): void;
  stop(): Promise<void>;
  /** One pass over every channel; resolves when the sends it started are finished and recorded. */
  drainOnce(): Promise<void>;
  /** Drain now (call right after committing an enqueue) instead of waiting for the next poll. */
  kick(): void;
  /** Pending outbox rows per configured channel. */
  queueDepth(): Record<string, number>;
  /**
   * Sends one message now through its channel's sender, without the outbox: for what the database cannot
   * carry (a store fault). Nothing is recorded; the caller keeps what failed.
   */
  sendDirect(msg: OutboundMessage): Promise<SendOutcome>;
  /** Re-posts the currently firing alerts to every Alertmanager channel whose resendInterval has passed. */
  resendFiring(alerts: readonly AlertView[], routeOf?: (alert: AlertView) => readonly string[]): Promise<void>;
}

interface ChannelState {
  cfg: ResolvedChannel;
  notifier: Notifier;
  /** Monotonic time before which nothing is sent (rate limit, backoff, Retry-After). */
  holdUntilMono: number;
  inFlight: Promise<void> | null;
  broken: boolean;
  lastResendMono: number;
}

const BATCH_LIMIT = 1000;

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const log = deps.log.child({ mod: 'notify' });
  const repo = deps.store.outbox.delivery;
  const random = deps.random ?? Math.random;
  const states = new Map<string, ChannelState>();
  for (const cfg of deps.channels) {
    const notifier =
      deps.notifiers?.[cfg.name] ?? createNotifier(cfg, { log: deps.log, clock: deps.clock, writeConsole: deps.writeConsole });
    states.set(cfg.name, {
      cfg,
      notifier,
      holdUntilMono: -Infinity,
      inFlight: null,
      broken: repo.channelState(cfg.name) === 'broken',
      lastResendMono: -Infinity,
    });
  }
  const warnedUnknown = new Set<string>();
  /** The outbox could not be written: said once, until a pass over the outbox goes through again. */
  let storeFailing = false;
  const isStoreError = (err: unknown) => {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' && code.startsWith('SQLITE_');
  };
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function safeSend(st: ChannelState, msg: OutboundMessage): Promise<SendOutcome> {
    // Senders have their own timeouts; this backstop keeps one stuck sender (an SMTP server trickling a
    // byte per socket timeout) from holding its channel for ever.
    const hardLimitMs = st.cfg.timeout * 4 + 1_000;
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<SendOutcome>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(
            failed(
              st.cfg.name,
              true,
              `the ${st.cfg.type} sender did not finish within ${hardLimitMs} ms; it will be retried. Check the server, or raise the channel's timeout.`,
            ),
          ),
        hardLimitMs,
      );
    });
    try {
      return await Promise.race([st.notifier.send(msg), backstop]);
    } catch (err) {
      // A sender must not throw; if one does, treat it as retryable so nothing is lost.
      return failed(st.cfg.name, true, `unexpected error in the ${st.cfg.type} sender: ${(err as Error)?.message ?? String(err)}`, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Picks what to send next: a digest of every due alert notification in a storm, else the oldest row. */
  function nextBatch(st: ChannelState, rows: OutboxRow[]): { rows: OutboxRow[]; msg: OutboundMessage } {
    const alertRows = rows.filter((r) => r.draft.kind === 'alerts');
    if (alertRows.length > st.cfg.digestAbove)
      return {
        rows: alertRows,
        msg: digestFromDrafts(
          st.cfg.name,
          alertRows.map((r) => r.draft),
        ),
      };
    return { rows: [rows[0]], msg: messageFromDraft(rows[0].draft) };
  }

  async function drainChannel(st: ChannelState): Promise<void> {
    const name = st.cfg.name;
    while (!stopped && deps.clock.monotonicMs() >= st.holdUntilMono) {
      const nowMs = deps.clock.nowMs();
      let rows = repo.due(name, nowMs, BATCH_LIMIT);
      rows = rows.filter((r) => {
        if (!repo.isLogged(name, r.dedupKey)) return true;
        repo.closeLogged(r.id, nowMs);
        log.warn({ channel: name, dedupKey: r.dedupKey }, 'outbox row already in the notification log; not sending it again');
        return false;
      });
      const expired = rows.filter((r) => nowMs - r.createdAtMs > st.cfg.retry.giveUpAfter);
      if (expired.length) {
        const why = `still undelivered after retry.giveUpAfter (${formatDurationMs(st.cfg.retry.giveUpAfter)}); kept in the outbox, no longer tried`;
        repo.markExpired(
          name,
          expired.map((r) => r.id),
          nowMs,
          why,
        );
        log.error({ channel: name, count: expired.length }, `notifications expired: ${why}`);
        rows = rows.filter((r) => !expired.includes(r));
      }
      if (rows.length === 0) return;
      // An attempt cut off by a stop or crash may still be answered: wait out the channel's timeout from its
      // start before sending again (the whole channel waits, so nothing overtakes it).
      const cutOffMs = repo.lastCutOffAttemptMs(name);
      const waitMs = cutOffMs === null ? 0 : Math.min(st.cfg.timeout, st.cfg.timeout - (nowMs - cutOffMs));
      if (waitMs > 0) {
        st.holdUntilMono = deps.clock.monotonicMs() + waitMs;
        return;
      }

      const batch = nextBatch(st, rows);
      const ids = batch.rows.map((r) => r.id);
      if (!st.cfg.sendResolved && batch.msg.kind !== 'test' && batch.msg.kind !== 'report') {
        batch.msg.alerts = batch.msg.alerts.filter((a) => a.state === 'firing');
        if (batch.msg.alerts.length === 0) {
          // Only resolutions, and this channel does not want them: done, nothing to send.
          repo.markSkipped(ids, nowMs, 'only resolutions, and the channel has sendResolved: false');
          continue;
        }
      }
      const cutOff = batch.rows.filter((r) => r.attemptStartedAtMs !== null);
      if (cutOff.length) {
        batch.msg.possiblySentTwice = true;
        log.warn(
          { channel: name, notifications: cutOff.length, attemptStartedAtMs: cutOff.map((r) => r.attemptStartedAtMs) },
          'sending again a notification whose earlier attempt was cut off (the agent stopped mid-send): it may arrive twice, and says so',
        );
      }
      repo.markStarted(ids, nowMs);
      const outcome = await safeSend(st, batch.msg);
      const doneMs = deps.clock.nowMs();
      const mono = deps.clock.monotonicMs();
      if (outcome.ok) {
        repo.markSent(name, ids, doneMs);
        st.holdUntilMono = mono + st.cfg.minInterval;
        log.info({ channel: name, kind: batch.msg.kind, notifications: ids.length }, 'notification sent');
        if (st.broken) {
          st.broken = false;
          log.info({ channel: name }, 'channel delivers again');
          deps.onChannelRecovered?.(name);
        }
        if (st.cfg.minInterval > 0) return; // the next poll sends the next one
        continue;
      }
      const attempt = Math.max(...batch.rows.map((r) => r.attempts)) + 1;
      const delayMs = !outcome.retryable ? st.cfg.retry.maxBackoff : (outcome.retryAfterMs ?? backoffMs(attempt, st.cfg.retry, random));
      // The whole channel waits, so a later notification never overtakes one being retried.
      st.holdUntilMono = mono + Math.max(delayMs, st.cfg.minInterval);
      repo.markRetry(name, ids, doneMs, doneMs + delayMs, outcome.error.message, outcome.retryable ? 'failing' : 'broken');
      log.warn(
        { channel: name, attempt, retryable: outcome.retryable, retryInMs: delayMs, err: outcome.error.message },
        'notification failed',
      );
      if (!outcome.retryable && !st.broken) {
        st.broken = true;
        log.error({ channel: name, err: outcome.error.message }, 'channel broken: fix its config; its notifications wait in the outbox');
        deps.onChannelBroken?.(name, outcome.error);
      }
      return;
    }
  }

  function drainOnce(): Promise<void> {
    // A kick or poll queued before stop() may run after it, when the database is already closed.
    if (stopped) return Promise.resolve();
    for (const ch of repo.pendingChannels()) {
      // The fleet shipper (src/fleet/shipper.ts) is the outbox's other consumer and owns its channel.
      if (ch === FLEET_CHANNEL) continue;
      if (!states.has(ch) && !warnedUnknown.has(ch)) {
        warnedUnknown.add(ch);
        log.warn(
          { channel: ch },
          `outbox has notifications for channel "${ch}", which is not in the config; they wait until it is configured again`,
        );
      }
    }
    const running: Promise<void>[] = [];
    for (const st of states.values()) {
      if (!st.inFlight) {
        st.inFlight = drainChannel(st)
          .then(() => {
            storeFailing = false;
          })
          .catch((err: unknown) => {
            // A database that refuses writes is told once by the agent and the store alarm; polling it every
            // 250 ms must not fill the log. Nothing is sent meanwhile: the send's start cannot be recorded.
            if (!isStoreError(err)) log.error({ channel: st.cfg.name, err }, 'dispatcher error (the outbox keeps the notifications)');
            else if (!storeFailing)
              log.warn(
                { channel: st.cfg.name, err: (err as Error).message },
                'outbox delivery waits until the database takes writes again (the outbox keeps the notifications)',
              );
            else log.debug({ channel: st.cfg.name, err }, 'outbox still not writable');
            if (isStoreError(err)) storeFailing = true;
          })
          .finally(() => {
            st.inFlight = null;
          });
      }
      running.push(st.inFlight);
    }
    return Promise.all(running).then(() => undefined);
  }

  /** A drain started by the timer or a kick: a store error is logged, never thrown out of a timer callback. */
  function poll(): void {
    Promise.resolve()
      .then(drainOnce)
      .catch((err: unknown) => log.error({ err }, 'dispatcher error (the outbox keeps the notifications)'));
  }

  return {
    start() {
      if (timer) return;
      stopped = false;
      timer = setInterval(poll, deps.pollIntervalMs ?? 250);
      poll();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.all([...states.values()].flatMap((s) => (s.inFlight ? [s.inFlight] : [])));
      for (const s of states.values()) s.notifier.close?.();
    },
    drainOnce,
    kick() {
      if (!stopped) setImmediate(poll);
    },
    queueDepth() {
      const counts = repo.pendingCounts();
      return Object.fromEntries([...new Set([...states.keys(), ...Object.keys(counts)])].map((c) => [c, counts[c] ?? 0]));
    },
    async sendDirect(msg) {
      const st = states.get(msg.channel);
      if (!st) return failed(msg.channel, false, `channel "${msg.channel}" is not configured`);
      const outcome = await safeSend(st, msg);
      if (outcome.ok) st.holdUntilMono = Math.max(st.holdUntilMono, deps.clock.monotonicMs() + st.cfg.minInterval);
      return outcome;
    },
    async resendFiring(alerts, routeOf) {
      const firing = alerts.filter((a) => a.state === 'firing');
      const mono = deps.clock.monotonicMs();
      const routed = (st: ChannelState) => (routeOf ? firing.filter((a) => routeOf(a).includes(st.cfg.name)) : firing);
      await Promise.all(
        [...states.values()]
          .filter(
            (st) =>
              st.cfg.type === 'alertmanager' && !st.broken && mono - st.lastResendMono >= st.cfg.resendInterval && routed(st).length > 0,
          )
          .map(async (st) => {
            st.lastResendMono = mono;
            const mine = routed(st);
            const msg: OutboundMessage = {
              kind: 'alerts',
              channel: st.cfg.name,
              host: mine[0].host,
              createdAtMs: deps.clock.nowMs(),
              alerts: mine,
              notificationCount: 1,
            };
            const outcome = await safeSend(st, msg);
            if (!outcome.ok)
              log.warn(
                { channel: st.cfg.name, err: outcome.error.message },
                're-posting firing alerts to Alertmanager failed; next try after resendInterval',
              );
          }),
      );
    },
  };
}
