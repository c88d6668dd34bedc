/**
 * Reads deploy/grafana/oomwatch.json and lists its queries, with Grafana's variables replaced the way
 * Grafana would before sending them (what a test can run against a real Prometheus).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_PATH = join(import.meta.dirname, '..', '..', 'deploy', 'grafana', 'oomwatch.json');

export interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  expr?: string;
  instant?: boolean;
  rawSql?: string;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}

export interface TemplateVariable {
  name: string;
  type: string;
  query: unknown;
  datasource?: { type: string; uid: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: TemplateVariable[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

export interface PromQuery {
  panel: string;
  refId: string;
  expr: string;
  instant: boolean;
}

/** Every Prometheus query of the dashboard's panels. */
export function prometheusQueries(d: Dashboard): PromQuery[] {
  return d.panels.flatMap((p) =>
    (p.targets ?? []).filter((t) => t.datasource.type === 'prometheus').map((t) => ({ panel: p.title, refId: t.refId, expr: t.expr ?? '', instant: t.instant === true })),
  );
}

/** Grafana's built-in interval variables, as Grafana fills them for a 1 h range at a short scrape interval. */
const BUILT_INS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

/** Replaces `$name` and `${name}` with the given values (and Grafana's built-ins); throws on any variable left. */
export function substitute(expr: string, vars: Record<string, string>): string {
  const all = { ...BUILT_INS, ...vars };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
    const name = a ?? b!;
    if (!(name in all)) throw new Error(`The dashboard uses the variable ${whole}, which the test does not define: add it to the test's variables.`);
    return all[name];
  });
}
