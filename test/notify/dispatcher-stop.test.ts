/**
 * The agent stops the dispatcher, then closes the database. A kick (a new incident) or a poll queued just
 * before stop() runs after it: it must not touch the closed database. It used to throw "The database
 * connection is not open" out of a timer callback, and the agent exited 1 instead of 0 on SIGTERM.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import { resolvedChannels, tempStore } from './factories.js';
import { T0 } from './fixed-instant.js';
import { createStore } from '../../src/store/store.js';

describe('dispatcher stop', () => {
  it('a drain queued before stop() does nothing once the database is closed', async () => {
    const store = tempStore();
    const d = createDispatcher({
      store: createStore(store.db),
      log: silentLogger(),
      clock: manualClock(T0),
      channels: resolvedChannels({ ops: { type: 'console' } }),
      pollIntervalMs: 10,
    });
    d.start();
    d.kick();
    await d.stop();
    store.cleanup(); // closes the database
    await expect(d.drainOnce()).resolves.toBeUndefined();
    await new Promise<void>((resolve) => setImmediate(resolve)); // the queued kick runs now
  });
});
