import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { systemClock } from '../../src/clock.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { POSSIBLY_SENT_TWICE } from '../../src/notify/message.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import { openDatabase } from '../../src/store/db.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { resolvedChannels, tempStore } from './factories.js';
import { createStore } from '../../src/store/store.js';

/** Runs the child until it prints `until` (or until the promise `until` settles), then SIGKILLs it. */
async function runChildUntil(args: string[], until: string | Promise<unknown>): Promise<void> {
  const root = packageRoot();
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules/vite-node/vite-node.mjs'), join(root, 'test/notify/fixtures/crash-child.ts'), ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`child did not reach "${String(until)}" in time; stdout=${out} stderr=${err}`)),
      30_000,
    );
    const reached = () => {
      clearTimeout(timer);
      resolve();
    };
    if (typeof until !== 'string') until.then(reached, reject);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (typeof until === 'string' && out.split('\n').includes(until)) reached();
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
    const db = openDatabase(path);
    try {
      const d = createDispatcher({
        store: createStore(db),
        log: silentLogger(),
        clock: systemClock,
        channels: resolvedChannels({ ops: { type: 'slack', webhookUrl: sink.url } }),
      });
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

  it('SIGKILL while the server is still answering: the cut-off notification is sent again only after the channel timeout, marked "possibly sent twice"; one never attempted is sent once, unmarked', async () => {
    sink = await startHttpSink();
    sink.queue({ status: 200, body: 'ok', delayMs: 3_000 }); // a slow server: the child dies before the answer
    store = tempStore();
    store.db.close();
    await runChildUntil([store.path, sink.url, 'send-two', '2s'], sink.waitFor(1));
    expect(sink.requests).toHaveLength(1);

    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as never,
    });
    const db = openDatabase(store.path);
    try {
      const d = createDispatcher({
        store: createStore(db),
        log,
        clock: systemClock,
        channels: resolvedChannels({ ops: { type: 'slack', webhookUrl: sink.url, timeout: '2s' } }),
      });
      await d.drainOnce();
      // The first attempt began less than the timeout ago: the channel waits (the second must not overtake it).
      expect(sink.requests).toHaveLength(1);
      d.start();
      await sink.waitFor(3);
      await d.stop();
      expect(db.prepare('SELECT dedup_key FROM notify_log ORDER BY outbox_id').all()).toEqual([
        { dedup_key: 'crash-1' },
        { dedup_key: 'crash-2' },
      ]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE attempt_started_at_ms IS NOT NULL').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    const [first, resent, second] = sink.requests.map((r) => r.body as { text: string });
    expect(first.text).toContain('first notification');
    expect(first.text).not.toContain(POSSIBLY_SENT_TWICE);
    expect(resent.text).toContain('first notification');
    expect(resent.text).toContain(POSSIBLY_SENT_TWICE);
    expect(sink.requests[1].atMs - sink.requests[0].atMs).toBeGreaterThanOrEqual(2_000);
    expect(second.text).toContain('second notification');
    expect(second.text).not.toContain(POSSIBLY_SENT_TWICE);
    expect(lines.filter((l) => l.includes('earlier attempt was cut off'))).toHaveLength(1);

    // Both are in the log now: a further restart sends nothing.
    await restartAndDrain(store.path);
    expect(sink.requests).toHaveLength(3);
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
