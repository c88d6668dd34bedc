import { describe, expect, it } from 'vitest';
import { digestFromDrafts, messageFromDraft, testMessage } from '../../src/notify/message.js';
import { renderAlertmanager } from '../../src/notify/render/alertmanager.js';
import { renderEmail } from '../../src/notify/render/email.js';
import { renderText } from '../../src/notify/render/text.js';
import { renderWebhook } from '../../src/notify/render/webhook.js';
import { alertView, draft } from './factories.js';
import { T0 } from './fixed-instant.js';

const HOSTILE = '<img src=x onerror=alert(1)>\u202e\r\nBcc: victim@example.com';

describe('renderEmail', () => {
  it('escapes untrusted text in the HTML part and keeps subject and text on safe lines', () => {
    const a = alertView(T0, {
      summary: `${HOSTILE} risk 900`,
      process: { pid: 7, startTimeTicks: 1, comm: HOSTILE, cmdline: 'x'.repeat(10_000), uid: 0, unit: null, cgroup: '/' },
    });
    const mail = renderEmail(messageFromDraft(draft(T0, { alerts: [a] })), { subjectPrefix: '[oomwatch]' });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).not.toMatch(/[\u202e\r]/);
    expect(mail.subject).toMatch(
      /^\[oomwatch\] \[FIRING\] warning process-risk-high on web-1: <img src=x onerror=alert\(1\)>\uFFFD\uFFFD\uFFFDBcc/,
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject.length).toBeLessThanOrEqual(200);
    expect(mail.text).not.toMatch(/\u202e|\r|\nBcc/);
    expect(mail.text).toContain(`  cmdline: ${'x'.repeat(499)}…`);
    expect(mail.html).toContain('<table role="presentation"');
  });

  it('passes a report through with its inline images', () => {
    const d = draft(T0, {
      kind: 'report',
      alerts: [],
      report: {
        subject: 'Daily OOM risk for web-1',
        text: 'all quiet',
        html: '<p>all quiet</p><img src="cid:chart1">',
        attachments: [{ filename: 'c.png', cid: 'chart1', contentType: 'image/png', contentBase64: Buffer.from('PNG').toString('base64') }],
      },
    });
    const mail = renderEmail(messageFromDraft(d), { subjectPrefix: '[oomwatch]' });
    expect(mail).toMatchObject({
      subject: '[oomwatch] Daily OOM risk for web-1',
      text: 'all quiet',
      html: '<p>all quiet</p><img src="cid:chart1">',
    });
    expect(mail.attachments[0].content.toString()).toBe('PNG');
  });

  it('renders a digest and a test message', () => {
    const drafts = [
      draft(T0, { dedupKey: 'a' }),
      draft(T0, { dedupKey: 'b', alerts: [alertView(T0, { state: 'resolved', resolution: 'exited' })] }),
    ];
    const mail = renderEmail(digestFromDrafts('mail', drafts), { subjectPrefix: '' });
    expect(mail.subject).toBe('oomwatch digest: 2 notifications (1 firing, 1 resolved) on web-1');
    expect(mail.text).toContain('EXITED [warning] postgres (pid 812)');
    expect(mail.text).toContain('resolved: the process exited (no OOM kill recorded for it)');
    expect(renderEmail(testMessage('mail', 'web-1', T0), { subjectPrefix: '[x]' }).subject).toBe(
      '[x] oomwatch test message from web-1 (channel mail)',
    );
  });
});

describe('renderText', () => {
  it('shows an incident link for an OOM-killed resolution', () => {
    const t = renderText(
      messageFromDraft(
        draft(T0, { alerts: [alertView(T0, { state: 'resolved', resolution: 'oom-killed', incidentId: 12, endsAtMs: T0 + 1000 })] }),
      ),
    );
    expect(t).toContain(
      'resolved: the process was killed by the OOM killer; rule process-risk-high on web-1; since 2026-11-26T06:00:00Z, ended 2026-11-26T06:00:01Z',
    );
    expect(t).toContain('incident: #12 (oomwatch report --incident 12)');
  });
});

describe('renderWebhook', () => {
  it('sends a versioned JSON body with sanitised, capped strings', () => {
    const body = renderWebhook(messageFromDraft(draft(T0, { alerts: [alertView(T0, { summary: 'a\u202eb\nc' })] })));
    expect(body).toMatchObject({
      version: 1,
      kind: 'alerts',
      channel: 'ops',
      host: 'web-1',
      createdAt: '2026-11-26T06:00:00Z',
      notificationCount: 1,
    });
    expect((body.alerts[0] as { summary: string }).summary).toBe('a\uFFFDb\uFFFDc');
  });
});

describe('renderAlertmanager', () => {
  it('builds /api/v2/alerts items with labels, annotations, startsAt/endsAt and generatorURL', () => {
    const firing = alertView(T0, { labels: { alertname: 'ProcessRiskHigh', host: 'web-1', 'bad-name': 'v', comm: 'post\ngres' } });
    const resolved = alertView(T0, { fingerprint: 'fp-2', state: 'resolved', resolution: 'oom-killed', endsAtMs: T0 + 5_000 });
    const [f, r] = renderAlertmanager([firing, resolved], {
      nowMs: T0 + 1_000,
      resendIntervalMs: 60_000,
      generatorUrl: 'http://web-1:9100/',
    });
    expect(f).toEqual({
      labels: {
        alertname: 'ProcessRiskHigh',
        host: 'web-1',
        bad_name: 'v',
        comm: 'post\uFFFDgres',
        severity: 'warning',
        oomwatch_id: 'fp-1',
      },
      annotations: { summary: firing.summary, description: expect.stringContaining('process: postgres (pid 812)') },
      startsAt: '2026-11-26T06:00:00.000Z',
      endsAt: '2026-11-26T06:04:01.000Z',
      generatorURL: 'http://web-1:9100/',
    });
    expect(r.endsAt).toBe('2026-11-26T06:00:05.000Z');
    expect(r.annotations.resolution).toBe('resolved: the process was killed by the OOM killer');
  });
});
