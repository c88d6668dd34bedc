import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import { openStore } from '../../src/store/db.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { resolvedChannels, tempStore } from './factories.js';

/** Runs the child until it prints `until`, then SIGKILLs it. */
async function runChildUntil(args: string[], until: string): Promise<void> {
  const root = packageRoot();
  const child = spawn(process.execPath, [join(root, 'node_modules/vite-node/vite-node.mjs'), join(root, 'test/notify/fixtures/crash-child.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not print "${until}" in time; stdout=${out} stderr=${err}`)), 30_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.split('\n').includes(until)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(child.signalCode).toBe('SIGKILL');
}

describe('crash safety (a real child process, SIGKILL, a real SQLite file)', () => {
  let sink: HttpSink;
  let store: ReturnType<typeof tempStore>;
  afterEach(async () => {
    await sink?.close();
    store?.cleanup();
  });

  async function restartAndDrain(path: string) {
    const db = openStore(path);
    try {
      const d = createDispatcher({ db, log: silentLogger(), clock: systemClock, channels: resolvedChannels({ ops: { type: 'slack', webhookUrl: sink.url } }) });
      await d.drainOnce();
      await d.stop();
      return db.prepare('SELECT dedup_key, attempts FROM notify_log').all();
    } finally {
      db.close();
    }
  }

  it('a notification committed but not sent before SIGKILL is delivered exactly once after restart', async () => {
    sink = await startHttpSink();
    store = tempStore();
    store.db.close();
    await runChildUntil([store.path, sink.url, 'enqueue'], 'enqueued');
    expect(sink.requests).toHaveLength(0);
    expect(await restartAndDrain(store.path)).toEqual([{ dedup_key: 'crash-1', attempts: 1 }]);
    expect(await restartAndDrain(store.path)).toEqual([{ dedup_key: 'crash-1', attempts: 1 }]);
    expect(sink.requests).toHaveLength(1);
  });

  it('a notification logged as sent before SIGKILL is not sent again after restart', async () => {
    sink = await startHttpSink();
    store = tempStore();
    store.db.close();
    await runChildUntil([store.path, sink.url, 'send'], 'sent');
    expect(sink.requests).toHaveLength(1);
    await restartAndDrain(store.path);
    expect(sink.requests).toHaveLength(1);
  });
});
