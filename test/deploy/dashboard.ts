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
    (p.targets ?? [])
      .filter((t) => t.datasource.type === 'prometheus')
      .map((t) => ({ panel: p.title, refId: t.refId, expr: t.expr ?? '', instant: t.instant === true })),
  );
}

/** Grafana's built-in interval variables, as Grafana fills them for a 1 h range at a short scrape interval. */
const BUILT_INS: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

/** Replaces `$name` and `${name}` with the given values (and Grafana's built-ins); throws on any variable left. */
export function substitute(expr: string, vars: Record<string, string>): string {
  const all = { ...BUILT_INS, ...vars };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
    const name = a ?? b!;
    if (!(name in all))
      throw new Error(`The dashboard uses the variable ${whole}, which the test does not define: add it to the test's variables.`);
    return all[name];
  });
}

export const POSTGRES_TYPE = 'grafana-postgresql-datasource';

export interface SqlQuery {
  /** The panel's title, or `variable NAME` for a template variable. */
  where: string;
  refId: string;
  sql: string;
}

/** The SQL of a template variable's `query` (a string, or `{ rawSql }` / `{ query }` in newer Grafana). */
function variableSql(query: unknown): string {
  if (typeof query === 'string') return query;
  const q = query as { rawSql?: unknown; query?: unknown } | null;
  if (typeof q?.rawSql === 'string') return q.rawSql;
  if (typeof q?.query === 'string') return q.query;
  throw new Error(`A PostgreSQL template variable's query has a shape the test does not read: ${JSON.stringify(query)}`);
}

/** Every PostgreSQL query of the dashboard: each panel target and each template variable of that data source. */
export function postgresQueries(d: Dashboard): SqlQuery[] {
  const panels = d.panels.flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => t.datasource.type === POSTGRES_TYPE)
      .map((t) => ({ where: p.title, refId: t.refId, sql: t.rawSql ?? '' })),
  );
  const variables = d.templating.list
    .filter((v) => v.type === 'query' && v.datasource?.type === POSTGRES_TYPE)
    .map((v) => ({ where: `variable ${v.name}`, refId: v.name, sql: variableSql(v.query) }));
  return [...panels, ...variables];
}

/** Grafana's quoting of one value of a multi-value (or include-all) variable in a SQL data source. */
const quoteLiteral = (v: string) => `'${v.replace(/'/g, "''")}'`;

export interface SqlScope {
  fromMs: number;
  toMs: number;
  /** The selected values of each multi-value variable (an empty list: nothing selected, or "All" with no options). */
  vars: Record<string, string[]>;
}

/**
 * Expands a dashboard's SQL the way Grafana does before PostgreSQL sees it: `$__timeFilter(col)` →
 * `col BETWEEN '<from>' AND '<to>'` (RFC 3339, UTC), and `$var` / `${var}` → the selected values, each quoted,
 * joined by commas (Grafana's default for a multi-value variable; none selected gives an empty string).
 * Throws on any other `$__` macro and on any variable the scope does not define, so an unhandled one cannot pass.
 */
export function expandSql(sql: string, scope: SqlScope): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  return sql.replace(
    /\$__(\w+)(?:\(([^)]*)\))?|\$\{([^}]*)\}|\$(\w+)/g,
    (whole, macro?: string, args?: string, braced?: string, bare?: string) => {
      if (macro !== undefined) {
        if (macro === 'timeFilter' && args !== undefined && args.trim() !== '')
          return `${args.trim()} BETWEEN '${iso(scope.fromMs)}' AND '${iso(scope.toMs)}'`;
        throw new Error(
          `The dashboard uses the Grafana macro ${whole}, which the test does not expand: add it to expandSql (test/deploy/dashboard.ts).`,
        );
      }
      const name = braced ?? bare!;
      if (!(name in scope.vars))
        throw new Error(
          `The dashboard's SQL uses ${whole}, which the test does not define (or a format it does not expand): add it to the test's variables.`,
        );
      return scope.vars[name].map(quoteLiteral).join(',');
    },
  );
}
