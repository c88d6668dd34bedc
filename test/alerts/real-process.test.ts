import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import type { NotificationDraft } from '../../src/model/notification.js';
import { createAlertEngine } from '../../src/alerts/engine.js';
import { createSampler } from '../../src/sample/host.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { startHog, stopHog } from '../helpers/hog.js';
import { makeTempDir } from '../helpers/tmp.js';
import { createStore } from '../../src/store/store.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('rules on the real /proc', () => {
  it('a real process raising its oom_score_adj to 1000 fires once, naming it; after it exits, one "exited" resolution', async () => {
    const tmp = makeTempDir('oomwatch-rules-real-');
    const db: Database = openDatabase(join(tmp.dir, 'oomwatch.db'));
    cleanup.push(async () => {
      db.close();
      tmp.cleanup();
    });
    const hog = await startHog(8, 1000);
    cleanup.push(() => stopHog(hog));

    const v = validateConfig({
      channels: { ops: { type: 'console' } },
      alerting: { groupWait: '0s', groupInterval: '0s', vanishWaitTicks: 1 },
      // Only this test's process: the hog's command line names its own buffer size.
      rules: {
        replaceDefaults: true,
        list: [{ id: 'next-victim', kind: 'process-risk', above: 900, domain: 'host', scope: { cmdline: 'bytearray\\(8 \\*' } }],
      },
    });
    if (!v.ok) throw new Error(v.errors.join('\n'));
    const { sampler, facts } = createSampler({ procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', refreshEveryMs: 60_000 });
    const engine = createAlertEngine({ store: createStore(db), log: silentLogger(), config: v.config, hostname: facts.hostname });
    const tick = () => {
      const nowMs = Date.now();
      const snapshot = sampler.takeSnapshot(nowMs);
      return engine.onTick(
        { snapshot, incidents: [], health: { samplerStalled: false, brokenChannels: [] }, dataFresh: true, isProtected: () => false },
        nowMs,
      );
    };
    const drafts = () =>
      (db.prepare('SELECT payload_json FROM outbox ORDER BY id').all() as { payload_json: string }[]).map(
        (r) => JSON.parse(r.payload_json) as NotificationDraft,
      );

    expect(tick()).toMatchObject({ firing: 1, pending: 0 });
    expect(tick()).toMatchObject({ firing: 1 });
    expect(drafts()).toHaveLength(1);
    const [fired] = drafts()[0].alerts;
    expect(fired.process).toMatchObject({ pid: hog.pid, comm: 'python3' });
    expect(fired.summary).toMatch(new RegExp(`^python3 \\(pid ${hog.pid}\\) risk \\d+ ‰ ≥ 900 ‰$`));

    await stopHog(hog);
    tick(); // gone: waits one tick for kill evidence
    tick();
    const all = drafts();
    expect(all).toHaveLength(2);
    expect(all[1].alerts).toMatchObject([{ state: 'resolved', resolution: 'exited', process: { pid: hog.pid } }]);
  });
});
