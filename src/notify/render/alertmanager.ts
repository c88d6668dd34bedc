/**
 * The Alertmanager API v2 body: POST /api/v2/alerts takes an array of
 * {labels, annotations, startsAt, endsAt, generatorURL} (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml).
 * Alertmanager identifies an alert by its label set, so the instance fingerprint is a label too
 * (otherwise two processes with the same comm would merge). A firing alert says endsAt = now + 4 ×
 * resendInterval, as Prometheus does (rules/alerting.go, resolvedRetention/resendDelay), so it resolves
 * by itself if the agent stops re-posting it.
 */
import { capLength, sanitizeTerminal } from '../../util/escape.js';
import type { AlertView } from '../../model/alert.js';
import { CAP, processFacts, stateText } from './text.js';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

const s = (v: string, max: number) => sanitizeTerminal(capLength(v, max));
/** Classic Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*. */
const labelName = (k: string) => {
  const n = k.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 100);
  return /^[a-zA-Z_]/.test(n) ? n : `_${n}`;
};

export function renderAlertmanager(
  alerts: readonly AlertView[],
  opts: { nowMs: number; resendIntervalMs: number; generatorUrl?: string },
): AlertmanagerAlert[] {
  return alerts.map((a) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.labels)) if (v !== '') labels[labelName(k)] = s(v, CAP.value);
    labels.alertname ??= s(a.ruleId, CAP.label);
    labels.host ??= s(a.host, CAP.label);
    labels.severity ??= a.severity;
    labels.oomwatch_id = a.fingerprint;
    const facts = [...a.details, ...processFacts(a)].map(
      (d) => `${s(d.label, CAP.label)}: ${s(d.value, d.label === 'cmdline' ? CAP.cmdline : CAP.value)}`,
    );
    const annotations: Record<string, string> = { summary: s(a.summary, CAP.summary), description: facts.join('\n') };
    if (a.state === 'resolved') annotations.resolution = stateText(a);
    if (a.incidentId !== undefined) annotations.incident = String(a.incidentId);
    const endsAtMs = a.state === 'resolved' ? (a.endsAtMs ?? opts.nowMs) : opts.nowMs + 4 * opts.resendIntervalMs;
    const out: AlertmanagerAlert = {
      labels,
      annotations,
      startsAt: new Date(a.startsAtMs).toISOString(),
      endsAt: new Date(endsAtMs).toISOString(),
    };
    if (opts.generatorUrl) out.generatorURL = opts.generatorUrl;
    return out;
  });
}
