/**
 * Every `--json` document, with the file its JSON Schema is published as (docs/json/<name>.schema.json,
 * written by `npm run json-schemas`). A test regenerates them and fails when the files differ.
 */
import { z } from 'zod';
import { AlertsJson, SilencesJson } from './alerts.js';
import type { JsonDocument } from './common.js';
import { ConfigJson } from './config.js';
import { DoctorJson } from './doctor.js';
import { FleetIncidentsJson, FleetReportJson } from './fleet.js';
import { HistoryJson } from './history.js';
import { ImportJson, IncidentDetailJson, IncidentsJson } from './incident.js';
import { ProtectPlanJson } from './protect-plan.js';
import { DailyReportJson, IncidentReportJson } from './report.js';
import { SampleJson } from './sample.js';
import { TopJson } from './top.js';

export type { JsonDocument } from './common.js';

export const JSON_DOCUMENTS: readonly JsonDocument[] = [
  { name: 'sample', command: 'oomwatch sample --once --json', schema: SampleJson },
  { name: 'top', command: 'oomwatch top --json', schema: TopJson },
  { name: 'history', command: 'oomwatch history PID|NAME --json', schema: HistoryJson },
  { name: 'incidents', command: 'oomwatch incidents --json', schema: IncidentsJson },
  { name: 'incident', command: 'oomwatch incident ID --json', schema: IncidentDetailJson },
  { name: 'import', command: 'oomwatch import FILE --json', schema: ImportJson },
  { name: 'alerts', command: 'oomwatch alerts --json', schema: AlertsJson },
  { name: 'silences', command: 'oomwatch silence list --json', schema: SilencesJson },
  { name: 'report-incident', command: 'oomwatch report --format json', schema: IncidentReportJson },
  { name: 'report-daily', command: 'oomwatch report daily --format json', schema: DailyReportJson },
  { name: 'doctor', command: 'oomwatch doctor --json', schema: DoctorJson },
  { name: 'protect-plan', command: 'oomwatch protect plan --json', schema: ProtectPlanJson },
  { name: 'config', command: 'oomwatch config show --json', schema: ConfigJson },
  { name: 'fleet-incidents', command: 'oomwatch fleet incidents --json', schema: FleetIncidentsJson },
  { name: 'report-fleet', command: 'oomwatch fleet report --format json', schema: FleetReportJson },
];

/**
 * The JSON Schema text of one document, as published. Input mode: an object allows fields it does not
 * list, because adding a field is a compatible change (docs/json.md).
 */
export function jsonSchemaText(doc: JsonDocument): string {
  const schema = z.toJSONSchema(doc.schema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ $schema: schema.$schema, title: doc.command, ...schema }, null, 2)}\n`;
}
