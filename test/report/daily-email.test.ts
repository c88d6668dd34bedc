/**
 * The daily report end to end through the real outbox, dispatcher and email channel to a real SMTP server
 * on loopback: HTML and text parts, hostile names escaped, once per period across a restart, and the
 * catch-up of a period missed while the agent was down (Persistent=true).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import type { Config } from '../../src/config/schema.js';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { resolveChannels } from '../../src/notify/channels.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import { buildInThread, buildInWorker, workerEntry } from '../../src/report/daily-build.js';
import { dailyReportJob, runDailyReport } from '../../src/report/daily-job.js';
import { openDatabase } from '../../src/store/db.js';
import { createReportRepo } from '../../src/store/report-repo.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildLeakStore, HOST } from '../fixtures/report/build-store.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { createStore } from '../../src/store/store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 08:00 Europe/Berlin (CET, UTC+1) on the kill's day. */
const SCHEDULED = Date.UTC(2026, 10, 25, 7, 0, 0);

function configFor(port: number, extra: Record<string, unknown> = {}): Config {
  const r = validateConfig({
    channels: {
      mail: { type: 'email', host: '127.0.0.1', port, from: 'oomwatch@web-1.example', to: ['oncall@example.com'], timeout: '2s' },
    },
    report: { daily: { cron: '0 8 * * *', timeZone: 'Europe/Berlin', topN: 3, ...extra } },
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

const facts = { bootId: 'b', hostname: HOST, kernelRelease: '6.8.0', pageSizeBytes: 4096 };

let tmp: ReturnType<typeof makeTempDir>;
let sink: SmtpSink;
beforeEach(async () => {
  tmp = makeTempDir('oomwatch-daily-');
  sink = await startSmtpSink();
});
afterEach(async () => {
  await sink.close();
  tmp.cleanup();
});

/** Runs the real dispatcher at the report's own (fixture) time, so outbox expiry does not depend on today's date. */
async function deliver(db: ReturnType<typeof openDatabase>, config: Config, expectMails: number, atMs: number): Promise<void> {
  const d = createDispatcher({
    store: createStore(db),
    log: silentLogger(),
    clock: manualClock(atMs),
    channels: resolveChannels(config.channels, { env: {} }),
    pollIntervalMs: 20,
  });
  d.start();
  try {
    await sink.waitFor(expectMails);
    // A second, unwanted send would come from a row still due: two more whole passes over the outbox (the first
    // may join a pass already running) send whatever is left, and nothing is left waiting.
    await d.drainOnce();
    await d.drainOnce();
    expect(Object.values(d.queueDepth()).reduce((sum, n) => sum + n, 0)).toBe(0);
  } finally {
    await d.stop();
  }
}

describe('the daily report by email', () => {
  it('arrives with an HTML part (email-safe charts, names escaped) and a text part', async () => {
    const path = join(tmp.dir, 'oomwatch.db');
    const { db } = buildLeakStore(path);
    const config = configFor(sink.port);
    try {
      const r = await runDailyReport({ config, store: createStore(db, path), facts }, SCHEDULED + 2 * HOUR);
      expect(r).toEqual({ kind: 'sent', fromMs: SCHEDULED - DAY, toMs: SCHEDULED, channels: ['mail'] });
      await deliver(db, config, 1, SCHEDULED + 2 * HOUR);
      const [mail] = sink.mails;
      expect(mail.subject).toBe(
        '[oomwatch] Daily memory report for web-1: 1 OOM kill; lowest available memory 9 % (1.5 GiB); 1 cgroup within 10 % of their limit; 1 alert still firing',
      );
      const html = String(mail.html);
      expect(html).toContain('<table role="presentation" class="bars"');
      expect(html).not.toMatch(/<svg|<script|<img/i);
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;|*_ (pid 666)');
      expect(html).toContain('2026-11-25 04:00:00 CET');
      expect(mail.text).toContain('oomwatch daily report for web-1');
      expect(mail.text).toContain('app-server (301)');
      expect(mail.text).toContain('<img src=x onerror=alert(1)>|*_ (pid 666) risk 712 ‰');
    } finally {
      db.close();
    }
  });

  it('is sent once per period, across a restart, and catches up a period missed while down', async () => {
    const path = join(tmp.dir, 'oomwatch.db');
    const config = configFor(sink.port);
    let { db } = buildLeakStore(path);
    expect((await runDailyReport({ config, store: createStore(db, path), facts }, SCHEDULED + 60_000)).kind).toBe('sent');
    expect(await runDailyReport({ config, store: createStore(db, path), facts }, SCHEDULED + 2 * HOUR)).toEqual({ kind: 'not-due' });
    await deliver(db, config, 1, SCHEDULED + 2 * HOUR);
    db.close();

    // Restart: a new process opens the same file. The period is recorded; nothing is sent again.
    db = openDatabase(path);
    try {
      expect(await runDailyReport({ config, store: createStore(db, path), facts }, SCHEDULED + 3 * HOUR)).toEqual({ kind: 'not-due' });
      await deliver(db, config, 1, SCHEDULED + 3 * HOUR);
      expect(sink.mails).toHaveLength(1);

      // Down over the next two scheduled times: back on the third day, one report covers both days.
      const back = SCHEDULED + 2 * DAY + 5 * HOUR;
      expect(await runDailyReport({ config, store: createStore(db, path), facts }, back)).toEqual({
        kind: 'sent',
        fromMs: SCHEDULED,
        toMs: SCHEDULED + 2 * DAY,
        channels: ['mail'],
      });
      expect(await runDailyReport({ config, store: createStore(db, path), facts }, back + HOUR)).toEqual({ kind: 'not-due' });
      await deliver(db, config, 2, back + HOUR);
      expect(sink.mails).toHaveLength(2);
      expect(sink.mails[1].subject).toBe(
        '[oomwatch] Daily memory report for web-1: no incidents; no samples in the period; 1 alert still firing',
      );
      expect(createReportRepo(db).lastPeriod('daily')).toMatchObject({
        periodStartMs: SCHEDULED,
        periodEndMs: SCHEDULED + 2 * DAY,
        channels: ['mail'],
      });
    } finally {
      db.close();
    }
  });

  it('as an agent job: on the configured calendar, run at start for catch-up, nothing without a channel', async () => {
    const path = join(tmp.dir, 'oomwatch.db');
    const { db } = buildLeakStore(path);
    try {
      const clock = manualClock(SCHEDULED + HOUR);
      let kicked = 0;
      const ctx = {
        config: configFor(sink.port),
        store: createStore(db, path),
        log: silentLogger(),
        clock,
        facts,
        procfs: new ProcFs('/proc'),
        selfProc: new ProcFs('/proc'),
      };
      const job = dailyReportJob(ctx, { onQueued: () => kicked++ });
      expect(job).toMatchObject({ name: 'daily-report', cron: '0 8 * * *', timeZone: 'Europe/Berlin', runAtStart: true });
      await job!.run();
      await job!.run();
      expect(kicked).toBe(1);
      expect(db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'report'").get()).toEqual({ n: 1 });
      // built in a worker thread on its own connection: the same email as one built here
      const queued = JSON.parse(
        (db.prepare("SELECT payload_json FROM outbox WHERE kind = 'report'").get() as { payload_json: string }).payload_json,
      );
      const here = await buildInThread(createStore(db, path).reports)({
        dbPath: path,
        fromMs: SCHEDULED - DAY,
        toMs: SCHEDULED,
        host: 'web-1',
        timeZone: 'Europe/Berlin',
        topN: ctx.config.report.daily.topN,
      });
      expect(queued.report).toEqual(here);
      const noMail = validateConfig({ channels: { out: { type: 'console' } } });
      expect(noMail.ok && dailyReportJob({ ...ctx, config: noMail.config })).toBeNull();
      expect(dailyReportJob({ ...ctx, config: configFor(sink.port, { enabled: false }) })).toBeNull();
    } finally {
      db.close();
    }
  });

  it('is built in a worker thread by the agent, and a worker failure is an error naming the cause', async () => {
    expect(workerEntry()).toMatch(/dist\/src\/report\/daily-worker-main\.js$/);
    const path = join(tmp.dir, 'oomwatch.db');
    const { db } = buildLeakStore(path);
    db.close();
    const req = { dbPath: path, fromMs: SCHEDULED - DAY, toMs: SCHEDULED, host: 'web-1', timeZone: 'Europe/Berlin', topN: 10 };
    const off = await buildInWorker(req);
    expect(off.subject).toContain('1 OOM kill');
    await expect(buildInWorker({ ...req, dbPath: join(tmp.dir, 'missing.db') })).rejects.toThrow(/missing\.db/);
  });
});
