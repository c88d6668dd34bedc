/**
 * Building blocks of the `--json` documents' schemas (docs/json.md, docs/json/*.schema.json). Each document
 * has one zod schema in this folder; the command builds its output typed by `z.infer` of it, so the code
 * and the published JSON Schema cannot drift, and tests validate real output with `.parse`.
 */
import { z } from 'zod';

export const int = () => z.number().int();
export const bytes = (what?: string) => (what ? z.number().describe(what) : z.number());
export const isoTime = (what: string) => z.string().describe(`${what} (ISO 8601, UTC)`);
export const epochMs = (what: string) => z.number().describe(`${what} (epoch milliseconds)`);

export const RISK_DESCRIPTION =
  'Kernel badness in per mille of the OOM domain total (RAM+swap for the host), oom_score_adj included: 0..2000. ' +
  '-1000 means immune: the kernel will not pick the process (oom_score_adj -1000, or an unkillable task).';

/** `risk` in per mille, with the -1000 of an immune process. */
export const risk = (what = RISK_DESCRIPTION) => z.number().describe(what);

/** One document: its schema id (the `schema` field, where the document has one) and its file under docs/json/. */
export interface JsonDocument {
  /** File name under docs/json/ without `.schema.json`. */
  name: string;
  /** The command that prints it. */
  command: string;
  schema: z.ZodType;
}
