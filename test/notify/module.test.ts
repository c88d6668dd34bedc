import { afterEach, describe, expect, it } from 'vitest';
import type { AgentContext } from '../../src/agent/module.js';
import { systemClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { createNotifyModule } from '../../src/notify/module.js';
import { enqueueNotifications } from '../../src/store/outbox-repo.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { until } from '../helpers/until.js';
import { alertView, draft, tempStore } from './factories.js';
import { createStore } from '../../src/store/store.js';

function configWith(channels: Record<string, unknown>) {
  const r = validateConfig({ channels });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

describe('notify agent module', () => {
  const sinks: HttpSink[] = [];
  let store: ReturnType<typeof tempStore>;
  afterEach(async () => {
    for (const s of sinks.splice(0)) await s.close();
    store?.cleanup();
  });

  it('delivers after a tick, re-posts firing alerts to Alertmanager, and swaps channels on reload', async () => {
    const [a, b, am] = [await startHttpSink(), await startHttpSink(), await startHttpSink()];
    sinks.push(a, b, am);
    store = tempStore();
    const config = configWith({ hook: { type: 'webhook', url: { env: 'HOOK_URL' } }, am: { type: 'alertmanager', url: am.origin } });
    const ctx = {
      config,
      store: createStore(store.db, store.path),
      log: silentLogger(),
      clock: systemClock,
      facts: {},
    } as unknown as AgentContext;
    const mod = createNotifyModule(ctx, {
      env: { HOOK_URL: a.url },
      pollIntervalMs: 60_000,
      firingAlerts: () => [alertView(systemClock.nowMs())],
    });
    await mod.start?.();
    enqueueNotifications(store.db, [draft(systemClock.nowMs(), { channel: 'hook', dedupKey: 'k1' })]);
    await mod.onTick?.({} as never);
    await a.waitFor(1);
    await am.waitFor(1);
    expect(am.requests[0].path).toBe('/api/v2/alerts');

    const before = mod.dispatcher();
    mod.reload?.(configWith({ hook: { type: 'webhook', url: b.url } }));
    // the swap waits for the old dispatcher to stop, then the new one takes over
    await until(() => mod.dispatcher() !== before);
    enqueueNotifications(store.db, [draft(systemClock.nowMs(), { channel: 'hook', dedupKey: 'k2' })]);
    await mod.onTick?.({} as never);
    await b.waitFor(1);
    expect(a.requests).toHaveLength(1);

    // A reload whose secrets cannot be read keeps the old channels.
    mod.reload?.(configWith({ hook: { type: 'webhook', url: { env: 'UNSET_VARIABLE' } } }));
    enqueueNotifications(store.db, [draft(systemClock.nowMs(), { channel: 'hook', dedupKey: 'k3' })]);
    await mod.onTick?.({} as never);
    await b.waitFor(2);
    await mod.stop?.();
    expect(mod.dispatcher()).toBeNull();
  });
});
