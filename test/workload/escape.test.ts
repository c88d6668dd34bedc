/**
 * Workload names come from files a container's owner can influence (a pod named by whoever may create pods, a
 * Compose project name): they reach Slack and the terminal only escaped. Fixed instant (T0) throughout.
 */
import { describe, expect, it } from 'vitest';
import { renderIncidentDetail, renderIncidentList } from '../../src/kernel/render-incident.js';
import { messageFromDraft } from '../../src/notify/message.js';
import { renderSlack } from '../../src/notify/render/slack.js';
import { describeWorkload, workloadAlertFacts, workloadLabels } from '../../src/workload/describe.js';
import type { Workload } from '../../src/workload/types.js';
import { incidentView } from '../helpers/incident-view.js';
import { alertView, draft } from '../notify/factories.js';
import { T0 } from '../notify/fixed-instant.js';

const HOSTILE = '<!channel> \u001b[31mred\u001b[0m \u202eexe & <@U123>';
const evil: Workload = {
  kind: 'k8s-pod',
  runtime: 'cri-containerd',
  podUid: '0f3c2a9e-6b1d-4c5e-9a7f-2b8d1e4c6a3f',
  qos: 'burstable',
  containerId: 'ab'.repeat(32),
  unit: null,
  userUid: null,
  namespace: 'shop',
  pod: HOSTILE,
  container: HOSTILE,
  image: null,
  composeProject: null,
  composeService: null,
  userName: null,
};

describe('hostile workload names', () => {
  it('are escaped in the Slack message of an oom-kill alert', () => {
    const a = alertView(T0, {
      ruleId: 'oom-kill',
      ruleKind: 'oom-kill',
      summary: `OOM kill: app (pid 9) killed by the kernel (CONSTRAINT_MEMCG) in ${describeWorkload(evil)}`,
      details: workloadAlertFacts(evil),
      labels: { alertname: 'oom-kill', ...workloadLabels(evil) },
    });
    const payload = JSON.stringify(renderSlack(messageFromDraft(draft(T0, { alerts: [a] })), { mentions: [], mentionAt: 'critical' }));
    expect(payload).not.toContain('<!channel>');
    expect(payload).not.toContain('<@U123>');
    expect(payload).toContain('&lt;!channel&gt;');
    expect(payload).not.toContain('\u202e');
  });

  it('reach the terminal without escape sequences (incidents table and incident detail)', () => {
    const view = incidentView(T0, { oomMemcg: '/kubepods/x', taskMemcg: '/kubepods/x', workload: evil });
    for (const out of [renderIncidentList([view]), renderIncidentDetail(view, [])]) {
      expect(out).not.toMatch(/\u001b|\u202e/);
      expect(out).toContain('\ufffd[31mred');
    }
    expect(renderIncidentDetail(view, [])).toContain('pod shop/');
    expect(renderIncidentDetail(view, [])).toMatch(/pod uid\s+0f3c2a9e-6b1d-4c5e-9a7f-2b8d1e4c6a3f/);
  });
});
