/**
 * Messages about OOM kills: a digest lists each kill once, the headline names the new victims, earlier
 * kills are a count, and a webhook body stays bounded. Pure renderers; fixed instant (T0) throughout.
 */
import { describe, expect, it } from 'vitest';
import { digestFromDrafts, messageFromDraft } from '../../src/notify/message.js';
import { renderEmail } from '../../src/notify/render/email.js';
import { renderSlack } from '../../src/notify/render/slack.js';
import { headlineRaw, renderText } from '../../src/notify/render/text.js';
import { renderWebhook, WEBHOOK_MAX_ALERTS } from '../../src/notify/render/webhook.js';
import type { AlertView } from '../../src/model/alert.js';
import type { NotificationDraft } from '../../src/model/notification.js';
import { alertView, draft } from './factories.js';
import { T0 } from './fixed-instant.js';

function kill(n: number, comm = `hog-${n}`): AlertView {
  return alertView(T0, {
    fingerprint: `oom-kill|web-1|incident:${n}`,
    ruleId: 'oom-kill',
    ruleKind: 'oom-kill',
    severity: 'critical',
    startsAtMs: T0 + n * 1000,
    summary: `OOM kill: ${comm} (pid ${1000 + n}) killed by the kernel (CONSTRAINT_MEMCG) in cgroup /box-${n}`,
    details: [{ label: 'constraint', value: 'CONSTRAINT_MEMCG' }],
    labels: { alertname: 'oom-kill', host: 'web-1', severity: 'critical', scope: 'incident', comm },
    process: { pid: 1000 + n, startTimeTicks: n, comm, cmdline: '', uid: null, unit: null, cgroup: `/box-${n}` },
    cgroup: `/box-${n}`,
    incidentId: n,
  });
}
/** The drafts the planner writes for a storm of `n` kills evaluated one by one. */
const stormDrafts = (n: number): NotificationDraft[] =>
  Array.from({ length: n }, (_, i) =>
    draft(T0, {
      groupKey: 'web-1|oom-kill',
      dedupKey: `k${i}`,
      createdAtMs: T0 + i * 500,
      alerts: [kill(i + 1)],
      ...(i ? { earlierKills: { count: i, withinMs: 600_000 } } : {}),
    }),
  );
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('a digest of kill notifications', () => {
  it('lists each kill once and counts the kills told before it', () => {
    const drafts = stormDrafts(15);
    // the first 4 went out one by one; the rest waited and are coalesced
    const msg = digestFromDrafts('hook', drafts.slice(4));
    expect(msg.alerts.map((a) => a.incidentId)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(msg.earlierKills).toEqual({ count: 4, withinMs: 600_000 });
    const body = renderWebhook(msg);
    expect(body.alerts).toHaveLength(11);
    expect(body.earlierKills).toEqual({ count: 4, withinSeconds: 600 });
    expect(body.title).toBe(
      'oomwatch digest: 11 notifications (11 firing) on web-1: 11 OOM kills: hog-5 (pid 1005) in /box-5, hog-6 (pid 1006) in /box-6, hog-7 (pid 1007) in /box-7 and 8 more',
    );
    const text = renderText(msg);
    for (let n = 5; n <= 15; n++) expect(count(text, `incident: #${n} `), `incident ${n}`).toBe(1);
    expect(text).toContain('…and 4 earlier OOM kills in the last 10 minutes, already sent: oomwatch incidents --since 10m lists them.');
  });

  it('folds outbox rows that re-list earlier kills (written before kills were told once) to one entry per kill', () => {
    // what an earlier version queued for 4 kills: [1], [1,2], [1,2,3], [1,2,3,4]
    const relisted = [1, 2, 3, 4].map((n) =>
      draft(T0, { groupKey: 'web-1|oom-kill', dedupKey: `r${n}`, alerts: Array.from({ length: n }, (_, i) => kill(i + 1)) }),
    );
    const msg = digestFromDrafts('hook', relisted);
    expect(msg.alerts.map((a) => a.incidentId)).toEqual([1, 2, 3, 4]);
    expect(msg.notificationCount).toBe(4);
  });
});

describe('a kill message', () => {
  const single = messageFromDraft(
    draft(T0, { groupKey: 'web-1|oom-kill', alerts: [kill(15)], earlierKills: { count: 14, withinMs: 600_000 } }),
  );

  it('names its new kill in the title and counts the 14 earlier ones in every format', () => {
    expect(headlineRaw(single)).toBe(
      '[FIRING] critical oom-kill on web-1: OOM kill: hog-15 (pid 1015) killed by the kernel (CONSTRAINT_MEMCG) in cgroup /box-15',
    );
    const line = 'and 14 earlier OOM kills in the last 10 minutes, already sent';
    expect(renderText(single)).toContain(line);
    expect(renderEmail(single, { subjectPrefix: '' }).html).toContain(line);
    const slack = renderSlack(single, { mentions: [], mentionAt: 'critical' });
    expect(JSON.stringify(slack.blocks)).toContain(`…${line}: \`oomwatch incidents --since 10m\` lists them.`);
    expect(renderWebhook(single)).toMatchObject({
      earlierKills: { count: 14, withinSeconds: 600 },
      omittedAlerts: 0,
      alerts: [{ incidentId: 15 }],
    });
    // the other kills are not in it
    expect(JSON.stringify(renderWebhook(single))).not.toContain('hog-14');
  });

  it('without earlier kills says nothing about them', () => {
    const first = messageFromDraft(draft(T0, { alerts: [kill(1)] }));
    expect(renderText(first)).not.toContain('earlier');
    expect(renderWebhook(first).earlierKills).toBeNull();
  });

  it('names several new victims in the title, escaped for Slack', () => {
    const msg = messageFromDraft(draft(T0, { groupKey: 'web-1|oom-kill', alerts: [kill(1, '<!channel>'), kill(2)] }));
    expect(headlineRaw(msg)).toBe(
      '[2 firing] critical oom-kill on web-1: 2 OOM kills: <!channel> (pid 1001) in /box-1, hog-2 (pid 1002) in /box-2',
    );
    const slack = renderSlack(msg, { mentions: [], mentionAt: 'critical' });
    expect(slack.text).toContain('&lt;!channel&gt; (pid 1001) in /box-1');
    expect(JSON.stringify(slack)).not.toContain('<!channel>');
  });
});

describe('a webhook body', () => {
  it(`lists at most ${WEBHOOK_MAX_ALERTS} alerts of a large digest and counts the rest`, () => {
    const body = renderWebhook(digestFromDrafts('hook', stormDrafts(250)));
    expect(body.alerts).toHaveLength(WEBHOOK_MAX_ALERTS);
    expect(body.omittedAlerts).toBe(150);
    expect(new Set(body.alerts.map((a) => (a as { incidentId: number }).incidentId)).size).toBe(WEBHOOK_MAX_ALERTS);
    expect(JSON.stringify(body).length).toBeLessThan(150 * 1024);
  });
});
