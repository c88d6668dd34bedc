/**
 * A real Alertmanager receives the agent's alerts through the alertmanager channel
 * (src/notify/alertmanager.ts): firing, read back from its API, then resolved.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { ResolvedChannelOf } from '../../src/notify/config.js';
import { silentLogger } from '../../src/log.js';
import { createAlertmanagerNotifier } from '../../src/notify/alertmanager.js';
import { messageFromDraft } from '../../src/notify/message.js';
import { alertView, draft, resolvedChannels } from '../notify/factories.js';
import { findBinary, freePort, requireInCi, startDaemon, waitFor } from './daemon.js';

const alertmanager = findBinary(['prometheus-alertmanager', 'alertmanager']);
requireInCi(alertmanager, 'prometheus-alertmanager');

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

describe('a real Alertmanager receiving the agent’s alerts', () => {
  it.skipIf(!alertmanager)(
    'shows a firing alert, then no longer lists it once resolved (skipped only where alertmanager is not installed)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'oomwatch-am-'));
      const port = await freePort();
      writeFileSync(
        join(dir, 'alertmanager.yml'),
        ['route:', '  receiver: nowhere', '  group_wait: 1s', 'receivers:', '  - name: nowhere', ''].join('\n'),
      );
      const daemon = startDaemon(alertmanager!, [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=', // no gossip port: a single test instance
      ]);
      const base = `http://127.0.0.1:${port}`;
      try {
        await waitFor('Alertmanager ready', daemon, async () => ((await fetch(`${base}/-/ready`)).ok ? true : null));
        const [cfg] = resolvedChannels({ am: { type: 'alertmanager', url: base, resendInterval: '1m' } });
        const notifier = createAlertmanagerNotifier(cfg as ResolvedChannelOf<'alertmanager'>, { log: silentLogger(), clock: systemClock });
        const fingerprint = `fp-${process.pid}-${Date.now()}`;
        const startsAtMs = Date.now() - 60_000;
        const firing = alertView(systemClock.nowMs(), {
          fingerprint,
          state: 'firing',
          startsAtMs,
          severity: 'critical',
          summary: 'postgres (pid 812) risk 712 ‰ > 600 ‰ for 2m',
          labels: { alertname: 'process-risk-high', host: 'web-1', severity: 'critical', comm: 'postgres', unit: 'postgresql.service' },
        });
        expect(await notifier.send(messageFromDraft(draft(systemClock.nowMs(), { channel: 'am', alerts: [firing] })))).toEqual({
          ok: true,
        });

        const mine = async (): Promise<GettableAlert[]> => {
          const res = await fetch(`${base}/api/v2/alerts?filter=${encodeURIComponent(`oomwatch_id="${fingerprint}"`)}`);
          expect(res.status).toBe(200);
          return (await res.json()) as GettableAlert[];
        };
        const [active] = await waitFor('the firing alert in /api/v2/alerts', daemon, async () => {
          const found = await mine();
          return found.length ? found : null;
        });
        expect(active.status.state).toBe('active');
        expect(active.labels).toMatchObject({
          alertname: 'process-risk-high',
          host: 'web-1',
          severity: 'critical',
          comm: 'postgres',
          unit: 'postgresql.service',
          oomwatch_id: fingerprint,
        });
        expect(active.annotations.summary).toBe('postgres (pid 812) risk 712 ‰ > 600 ‰ for 2m');
        expect(Date.parse(active.startsAt)).toBe(startsAtMs);
        // Firing alerts end 4 × resendInterval ahead, so Alertmanager resolves them itself if the agent dies.
        expect(Date.parse(active.endsAt) - Date.now()).toBeGreaterThan(3 * 60_000);

        const resolved = { ...firing, state: 'resolved' as const, resolution: 'cleared' as const, endsAtMs: Date.now() };
        expect(await notifier.send(messageFromDraft(draft(systemClock.nowMs(), { channel: 'am', alerts: [resolved] })))).toEqual({
          ok: true,
        });
        // Alertmanager's API lists only unresolved alerts: the resolved one disappears.
        await waitFor('the alert to leave /api/v2/alerts once resolved', daemon, async () => ((await mine()).length === 0 ? true : null));
      } finally {
        await daemon.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
