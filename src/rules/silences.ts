/**
 * Silences and label matchers (Alertmanager's syntax: `name=value`, `name!=value`, `name=~regex`,
 * `name!~regex`; regular expressions are anchored). Pure.
 */
import type { AlertView, LabelMatcher, Silence } from '../model/alert.js';

/** Labels the rules engine sets on alerts (rules/lifecycle.ts, rules/kinds/*). Silences, grouping and inhibition use these. */
export const ALERT_LABELS = [
  'alertname',
  'host',
  'severity',
  'kind',
  'scope',
  'comm',
  'unit',
  'cgroup',
  'check',
  'channel',
  'fingerprint',
] as const;

export type MatcherParse = { ok: true; matcher: LabelMatcher } | { ok: false; error: string };

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Parses one matcher. The error says what was expected and gives an example.
 * @example parseMatcher('comm=~post.*') // { ok: true, matcher: { name: 'comm', op: '=~', value: 'post.*' } }
 */
export function parseMatcher(text: string): MatcherParse {
  const m = /^\s*([^=!~\s]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  const example = 'e.g. alertname=process-risk-high, comm=~"post.*" or host!=db2';
  if (!m)
    return {
      ok: false,
      error: `cannot read the matcher ${JSON.stringify(text)}: expected NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX (${example}).`,
    };
  const [, name, op, raw] = m;
  if (!NAME_RE.test(name))
    return { ok: false, error: `${JSON.stringify(name)} is not a label name: use letters, digits and "_" (${example}).` };
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  if (op === '=~' || op === '!~') {
    try {
      new RegExp(`^(?:${value})$`);
    } catch (err) {
      return {
        ok: false,
        error: `${JSON.stringify(value)} is not a valid regular expression (${(err as Error).message}). Quote the matcher in the shell and check escaping.`,
      };
    }
  }
  return { ok: true, matcher: { name, op: op as LabelMatcher['op'], value } };
}

export const formatMatcher = (m: LabelMatcher): string => `${m.name}${m.op}${/[\s"]/.test(m.value) ? JSON.stringify(m.value) : m.value}`;

const regexCache = new Map<string, RegExp>();
function anchored(value: string): RegExp {
  let re = regexCache.get(value);
  if (!re) {
    re = new RegExp(`^(?:${value})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(value, re);
  }
  return re;
}

/** The labels a matcher sees: the alert's labels plus its fingerprint. A missing label reads as "". */
export function matchesLabels(matchers: readonly LabelMatcher[], alert: Pick<AlertView, 'labels' | 'fingerprint'>): boolean {
  for (const m of matchers) {
    const v = m.name === 'fingerprint' ? alert.fingerprint : (alert.labels[m.name] ?? '');
    const ok =
      m.op === '=' ? v === m.value : m.op === '!=' ? v !== m.value : m.op === '=~' ? anchored(m.value).test(v) : !anchored(m.value).test(v);
    if (!ok) return false;
  }
  return true;
}

export const isSilenceActive = (s: Silence, nowMs: number): boolean => s.startsAtMs <= nowMs && nowMs < s.endsAtMs;

/** The first active silence that matches the alert, if any. */
export function silenceFor(
  alert: Pick<AlertView, 'labels' | 'fingerprint'>,
  silences: readonly Silence[],
  nowMs: number,
): Silence | undefined {
  return silences.find((s) => isSilenceActive(s, nowMs) && s.matchers.length > 0 && matchesLabels(s.matchers, alert));
}
