/**
 * The report module's entry points: build (query + pure assembly) and render. docs/reports.md.
 * `oomwatch report` (src/cli/commands/report.ts) and the daily job (daily-job.ts) use only these.
 */
import type { IncidentView } from '../model/incident.js';
import type { ReportPayload } from '../model/notification.js';
import type { ReportQueries } from '../store/report-queries.js';
import { assembleDailyReport } from './assemble-daily.js';
import { assembleIncidentReport } from './assemble-incident.js';
import { buildDailyDoc } from './daily-doc.js';
import { buildIncidentDoc } from './incident-doc.js';
import { renderDocHtml } from './render-html.js';
import { renderDocMarkdown } from './render-markdown.js';
import { renderDocText } from './render-text.js';
import type { DailyReport, IncidentReport } from './types.js';

export type { DailyReport, IncidentReport } from './types.js';
export { assembleIncidentReport } from './assemble-incident.js';
export { assembleDailyReport } from './assemble-daily.js';

export const REPORT_FORMATS = ['text', 'markdown', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The forensic report of a kill (or of the window before an instant when `incident` is null). */
export function buildIncidentReport(
  reports: Pick<ReportQueries, 'incidentInput'>,
  q: { incident: IncidentView | null; atMs: number; windowMs: number; host: string; timeZone: string },
): IncidentReport {
  return assembleIncidentReport(reports.incidentInput(q), { timeZone: q.timeZone });
}

/** The daily risk report of the period (fromMs, toMs]. */
export function buildDailyReport(
  reports: Pick<ReportQueries, 'dailyInput'>,
  q: { fromMs: number; toMs: number; host: string; timeZone: string; topN: number },
): DailyReport {
  return assembleDailyReport(reports.dailyInput(q), { timeZone: q.timeZone, topN: q.topN });
}

/** Renders either report. JSON is the model itself (stable keys, indented); HTML is one self-contained file. */
export function renderReport(model: IncidentReport | DailyReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(model, null, 2)}\n`;
  const doc = model.schema === 'oomwatch.report.incident/v1' ? buildIncidentDoc(model) : buildDailyDoc(model);
  if (format === 'text') return renderDocText(doc);
  if (format === 'markdown') return renderDocMarkdown(doc);
  return renderDocHtml(doc, { charts: 'svg', timeZone: model.timeZone });
}

/**
 * The daily report as an email: HTML with email-safe charts (tables, inline styles, no SVG or script)
 * plus the plain-text part. The email channel sends it as-is (src/notify/render/email.ts).
 */
export function renderDailyEmail(model: DailyReport): ReportPayload {
  const doc = buildDailyDoc(model);
  return {
    subject: `Daily memory report for ${model.host}: ${model.headline}`,
    text: renderDocText(doc),
    html: renderDocHtml(doc, { charts: 'table', timeZone: model.timeZone }),
  };
}
