/**
 * The delivery part of the agent (AgentModule): resolves the channels' secrets and starts the dispatcher
 * at start, drains as soon as rows are queued (the store announces them: an alert commit, a daily report,
 * a store fault) and right after every tick, re-posts firing alerts to Alertmanager channels, and swaps the
 * channels on reload.
 */
import type { AgentContext, AgentModule } from '../agent/module.js';
import type { NotifyError } from '../errors.js';
import { resolveChannels } from './channels.js';
import type { ChannelsConfig } from './config.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import type { AlertView } from '../model/alert.js';

export interface NotifyModuleOptions {
  env?: NodeJS.ProcessEnv;
  writeConsole?: (text: string) => void;
  onChannelBroken?: (channel: string, error: NotifyError) => void;
  onChannelRecovered?: (channel: string) => void;
  /** The currently firing alerts (from the rules engine), re-posted to Alertmanager channels on their resendInterval. */
  firingAlerts?: () => readonly AlertView[];
  /** Where each alert is routed (the rules' routing); without it every Alertmanager channel gets every alert. */
  routeOf?: (alert: AlertView) => readonly string[];
  pollIntervalMs?: number;
}

export function createNotifyModule(ctx: AgentContext, opts: NotifyModuleOptions = {}): AgentModule & { dispatcher(): Dispatcher | null } {
  const log = ctx.log.child({ mod: 'notify' });
  let current: Dispatcher | null = null;
  let swapping: Promise<void> = Promise.resolve();
  let stopped = false;
  let unsubscribe: (() => void) | null = null;
  const build = (config: { channels: ChannelsConfig }) =>
    createDispatcher({
      store: ctx.store,
      log: ctx.log,
      clock: ctx.clock,
      channels: resolveChannels(config.channels, { env: opts.env ?? process.env }),
      writeConsole: opts.writeConsole,
      onChannelBroken: opts.onChannelBroken,
      onChannelRecovered: opts.onChannelRecovered,
      pollIntervalMs: opts.pollIntervalMs,
    });
  return {
    name: 'notify',
    dispatcher: () => current,
    start() {
      stopped = false;
      current = build(ctx.config);
      current.start();
      unsubscribe = ctx.store.outbox.onEnqueued(() => current?.kick());
    },
    onTick() {
      current?.kick();
      const firing = opts.firingAlerts?.();
      if (current && firing?.length) {
        current.resendFiring(firing, opts.routeOf).catch((err: unknown) => log.warn({ err }, 're-posting firing alerts failed'));
      }
    },
    reload(config) {
      let next: Dispatcher;
      try {
        next = build(config);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'new channel config not applied (keeping the old channels)');
        return;
      }
      // Swap only after the old dispatcher has finished its in-flight sends, so no row is sent by both.
      swapping = swapping.then(async () => {
        await current?.stop();
        if (stopped) return;
        current = next;
        next.start();
      });
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      unsubscribe = null;
      await swapping;
      await current?.stop();
      current = null;
    },
  };
}
