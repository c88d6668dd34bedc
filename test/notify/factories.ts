import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedChannel } from '../../src/notify/config.js';
import { validateConfig } from '../../src/config/validate.js';
import { resolveChannels } from '../../src/notify/channels.js';
import type { AlertView } from '../../src/model/alert.js';
import type { NotificationDraft } from '../../src/model/notification.js';
import { openDatabase, type Database } from '../../src/store/db.js';

/**
 * Factories take the instant they describe as an argument: a test on a manual clock passes its fixed instant
 * (see ./fixed-instant.ts), a test on the real clock passes `systemClock.nowMs()`. One clock per test, so the
 * suite passes on any date.
 */
export function alertView(atMs: number, overrides: Partial<AlertView> = {}): AlertView {
  return {
    fingerprint: 'fp-1',
    ruleId: 'process-risk-high',
    ruleKind: 'process-risk',
    severity: 'warning',
    host: 'web-1',
    state: 'firing',
    startsAtMs: atMs,
    summary: 'postgres (pid 812) risk 712 ‰ > 600 ‰ for 2m',
    details: [
      { label: 'RSS', value: '3.1 GiB' },
      { label: 'oom_score', value: '1141' },
    ],
    labels: { alertname: 'process-risk-high', host: 'web-1', severity: 'warning', comm: 'postgres' },
    process: {
      pid: 812,
      startTimeTicks: 4242,
      comm: 'postgres',
      cmdline: 'postgres -D /var/lib/pg',
      uid: 110,
      unit: 'postgresql.service',
      cgroup: '/system.slice/postgresql.service',
    },
    ...overrides,
  };
}

export function draft(atMs: number, overrides: Partial<NotificationDraft> = {}): NotificationDraft {
  return {
    channel: 'ops',
    kind: 'alerts',
    groupKey: 'web-1|process-risk-high',
    host: 'web-1',
    createdAtMs: atMs,
    dedupKey: `web-1|process-risk-high|${Math.random().toString(36).slice(2)}`,
    alerts: [alertView(atMs)],
    ...overrides,
  };
}

/** A real SQLite file in a fresh temp folder, with every migration applied. */
export function tempStore(): { db: Database; dir: string; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'oomwatch-notify-'));
  const path = join(dir, 'oomwatch.db');
  const db = openDatabase(path);
  return {
    db,
    dir,
    path,
    cleanup: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Channels as the agent gets them: raw config → schema → secrets resolved. */
export function resolvedChannels(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ResolvedChannel[] {
  const r = validateConfig({ channels: raw });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return resolveChannels(r.config.channels, { env });
}
