/**
 * The hosts closest to OOM, from Prometheus's HTTP API (GET /api/v1/query) over the agents' own metrics
 * (docs/metrics.md). A series is a host by its `host` label (docs/fleet.md relabels it from the target
 * address), else by its `instance` without the port.
 */
import { TOP_ROWS, type FleetReport } from './report-model.js';

/**
 * `wrap(metric{…})` with a `host` label on every series: its own, or the instance's host part.
 * @example hosted('m', '', (s) => `max_over_time(${s}[1h])`)
 * // (label_replace(max_over_time(m{host=""}[1h]), "host", "$1", "instance", "([^:]+).*") or max_over_time(m{host!=""}[1h]))
 */
export function hosted(metric: string, matchers = '', wrap: (selector: string) => string = (s) => s): string {
  const m = (extra: string) => wrap(`${metric}{${[matchers, extra].filter(Boolean).join(', ')}}`);
  return `(label_replace(${m('host=""')}, "host", "$1", "instance", "([^:]+).*") or ${m('host!=""')})`;
}

/** Prometheus's range syntax for a period in ms (whole seconds, at least one minute). */
export const promRange = (ms: number) => `${Math.max(60, Math.round(ms / 1000))}s`;

export function closestToOomQueries(periodMs: number): { available: string; psi: string; risk: string } {
  const r = promRange(periodMs);
  const over = (fn: string) => (s: string) => `${fn}(${s}[${r}])`;
  return {
    // MemTotal does not change while a host runs: the lowest available over the period divided by it.
    available: `min by (host) (${hosted('oomwatch_memory_available_bytes', '', over('min_over_time'))} / ${hosted('oomwatch_memory_total_bytes', '', over('max_over_time'))})`,
    psi: `max by (host) (${hosted('oomwatch_memory_pressure_ratio', 'kind="some", window="10s"', over('max_over_time'))})`,
    risk: `max by (host) (${hosted('oomwatch_top_process_risk_permille', '', over('max_over_time'))})`,
  };
}

type Vector = { metric: Record<string, string>; value: [number, string] }[];

async function query(baseUrl: string, promql: string, atMs: number, timeoutMs: number): Promise<Vector> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/query?${new URLSearchParams({ query: promql, time: String(atMs / 1000) }).toString()}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json().catch(() => null)) as { status?: string; error?: string; data?: { result?: Vector } } | null;
  if (!res.ok || body?.status !== 'success') throw new Error(`Prometheus answered ${res.status}${body?.error ? `: ${body.error}` : ''}`);
  return body.data?.result ?? [];
}

/** Per host: lowest available memory share, highest PSI some avg10, highest process risk; lowest memory first. */
export async function queryClosestToOom(
  baseUrl: string,
  q: { fromMs: number; toMs: number; timeoutMs?: number },
): Promise<NonNullable<FleetReport['closestToOom']>> {
  const qs = closestToOomQueries(q.toMs - q.fromMs);
  const [avail, psi, risk] = await Promise.all(
    [qs.available, qs.psi, qs.risk].map((e) => query(baseUrl, e, q.toMs, q.timeoutMs ?? 10_000)),
  );
  const hosts = new Map<string, NonNullable<FleetReport['closestToOom']>[number]>();
  const row = (host: string) =>
    hosts.get(host) ?? hosts.set(host, { host, lowestAvailableFraction: null, peakPsiSome10: null, peakRiskPermille: null }).get(host)!;
  for (const s of avail) row(s.metric.host ?? '?').lowestAvailableFraction = Number(s.value[1]);
  for (const s of psi) row(s.metric.host ?? '?').peakPsiSome10 = Number(s.value[1]);
  for (const s of risk) row(s.metric.host ?? '?').peakRiskPermille = Number(s.value[1]);
  return [...hosts.values()]
    .sort(
      (a, b) =>
        (a.lowestAvailableFraction ?? 2) - (b.lowestAvailableFraction ?? 2) ||
        (b.peakRiskPermille ?? 0) - (a.peakRiskPermille ?? 0) ||
        a.host.localeCompare(b.host),
    )
    .slice(0, TOP_ROWS);
}
