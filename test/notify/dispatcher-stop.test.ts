import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import { resolvedChannels, tempStore } from './factories.js';

describe('dispatcher stop', () => {
  it('a kick just before stop() does not touch the database after it was closed', async () => {
    const store = tempStore();
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      const d = createDispatcher({ db: store.db, log: silentLogger(), clock: systemClock, channels: resolvedChannels({ ops: { type: 'webhook', url: 'http://127.0.0.1:9/hook' } }) });
      d.start();
      d.kick();
      await d.stop();
      store.db.close();
      // the kick's setImmediate runs now
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', onError);
      store.cleanup();
    }
  });
});
