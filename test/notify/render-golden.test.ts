/**
 * End-to-end goldens of what the channels send: a snapshot of the busy-host fixture tree (hostile process
 * names included) and an OOM kill → the rules engine's alerts → the Slack payload, the email's subject, text
 * part and HTML, and the webhook body, each against a golden file (UPDATE_GOLDEN=1 rewrites them).
 * One clock: the fixed instant T0, for the snapshot, the evaluation and the message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageFromDraft } from '../../src/notify/message.js';
import { renderEmail } from '../../src/notify/render/email.js';
import { renderSlack } from '../../src/notify/render/slack.js';
import { renderWebhook } from '../../src/notify/render/webhook.js';
import { compileRules, evaluateRules, historyWindows } from '../../src/rules/evaluate.js';
import { createHistory, updateHistory } from '../../src/rules/history.js';
import { emptyRuleState } from '../../src/rules/types.js';
import { ruleSchema, type RuleConfig } from '../../src/rules/config.js';
import { createSampler } from '../../src/sample/host.js';
import { draft } from './factories.js';
import { T0 } from './fixed-instant.js';

const FX = join(import.meta.dirname, '../fixtures');
const GOLDEN = join(import.meta.dirname, 'golden');

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function message() {
  const { sampler } = createSampler({ procRoot: join(FX, 'proc/busy-host'), cgroupRoot: join(FX, 'cgroup/v2'), refreshEveryMs: 60_000 });
  const snap = sampler.takeSnapshot(T0);
  const rules = compileRules(
    [
      { id: 'process-risk-high', kind: 'process-risk', above: 300, severity: 'warning' },
      { id: 'oom-kill', kind: 'oom-kill', severity: 'critical' },
    ].map((r) => ruleSchema.parse(r) as RuleConfig),
  );
  const history = createHistory(historyWindows(rules));
  updateHistory(history, snap, true);
  // The kernel killed "a) b" (a name that breaks naive /proc parsing) in its cgroup.
  const victim = snap.processes.find((p) => p.comm === 'a) b')!;
  const { transitions } = evaluateRules(
    rules,
    {
      snapshot: snap,
      history,
      incidents: [
        {
          id: 7,
          atMs: T0,
          constraint: 'memcg',
          cgroup: victim.cgroup,
          victim: { pid: victim.pid, startTimeTicks: victim.startTimeTicks, comm: victim.comm },
          source: 'kernel',
        },
      ],
      health: { samplerStalled: false, brokenChannels: [] },
      dataFresh: true,
      isProtected: () => false,
    },
    emptyRuleState(),
    T0,
    { host: snap.hostname, vanishWaitTicks: 2 },
  );
  const alerts = transitions.filter((t) => t.kind === 'firing').map((t) => t.alert);
  expect([...new Set(alerts.map((a) => a.ruleId))].sort()).toEqual(['oom-kill', 'process-risk-high']);
  return messageFromDraft(draft(T0, { host: snap.hostname, groupKey: `${snap.hostname}|mixed`, alerts }));
}

describe('fixture snapshot → alerts → channel bodies (goldens)', () => {
  const msg = message();

  it('Slack payload', () => {
    golden('slack.json', `${JSON.stringify(renderSlack(msg, { mentions: ['<!here>'], mentionAt: 'critical' }), null, 2)}\n`);
  });

  it('email subject, text part and HTML', () => {
    const email = renderEmail(msg, { subjectPrefix: '[oomwatch]' });
    golden('email-subject.txt', `${email.subject}\n`);
    golden('email.txt', email.text.endsWith('\n') ? email.text : `${email.text}\n`);
    golden('email.html', email.html.endsWith('\n') ? email.html : `${email.html}\n`);
  });

  it('webhook body', () => {
    golden('webhook.json', `${JSON.stringify(renderWebhook(msg), null, 2)}\n`);
  });
});
