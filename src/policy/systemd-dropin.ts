import { UsageError } from '../errors.js';
import { LEVELS, describeAdj, isLevelName, legacyValueMessage, looksLegacy } from './levels.js';

/**
 * A systemd drop-in that makes systemd itself set a service's oom_score_adj at every start (OOMScoreAdjust=,
 * systemd.exec(5)) and decide what happens to the rest of the service after a kill (OOMPolicy=, systemd.service(5)).
 * Pure: names, validation and file content. dropin-write.ts does the I/O.
 *
 * Why a unit setting and not only the agent: a runtime write to /proc/PID/oom_score_adj dies with the process, so
 * every restart of the service starts unprotected until the next tick; systemd applies the unit's value before
 * exec, and PID 1 normally holds CAP_SYS_RESOURCE even where oomwatch does not.
 */

export const OOM_POLICIES = ['continue', 'stop', 'kill'] as const;
export type OomPolicy = (typeof OOM_POLICIES)[number];

/** systemd's unit types (systemd.unit(5)); a name without one is a service, as systemctl assumes. */
const UNIT_SUFFIX_RE = /\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)$/;

export const DROPIN_FILE = '50-oomwatch.conf';

/** Why each OOMPolicy= value (systemd.service(5)), written next to it in the file. */
const OOM_POLICY_MEANING: Record<OomPolicy, string> = {
  continue: 'when the kernel kills one of its processes, the service keeps running (the kill is logged)',
  stop: "when the kernel kills one of its processes, systemd stops the whole service cleanly (systemd's default)",
  kill: 'when the kernel kills one of its processes, systemd kills the rest of the service too',
};

/**
 * Validates a unit name as systemd does (unit_name_is_valid(): at most 255 characters of [A-Za-z0-9:_.\\@-]), and
 * adds `.service` to a bare name like systemctl does. Only services: OOMPolicy= exists only in [Service].
 */
export function normalizeUnitName(input: string): string {
  const name = UNIT_SUFFIX_RE.test(input) ? input : `${input}.service`;
  if (!/^[A-Za-z0-9:_.\\@-]+$/.test(input) || name.length > 255 || input.startsWith('.') || input.startsWith('-')) {
    throw new UsageError(
      `UNIT ${JSON.stringify(input)} is not a valid systemd unit name: expected letters, digits and ":_.\\@-", at most 255 characters ` +
        '(e.g. nginx.service, postgresql@16-main.service). Check the name with systemctl list-units --type=service.',
    );
  }
  if (!name.endsWith('.service')) {
    throw new UsageError(
      `UNIT ${JSON.stringify(input)} is not a service: OOMPolicy= and this drop-in's [Service] section apply to .service units only.`,
    );
  }
  return name;
}

/** Parses --adj: an integer -1000..1000 or a level name; legacy oom_adj values are refused with the translation. */
export function parseAdjArgument(text: string): number {
  if (isLevelName(text)) return LEVELS[text];
  if (!/^[+-]?\d+$/.test(text.trim())) {
    throw new UsageError(
      `--adj: expected an integer from -1000 to 1000 or a level (${Object.keys(LEVELS).join(', ')}), got ${JSON.stringify(text)}.`,
    );
  }
  const n = Number(text);
  if (n < -1000 || n > 1000) throw new UsageError(`--adj: ${n} is outside -1000..1000 (OOMScoreAdjust= accepts -1000 to 1000).`);
  if (looksLegacy(n)) throw new UsageError(`--adj: ${legacyValueMessage(n, '--adj')}`);
  return n;
}

export function parseOomPolicyArgument(text: string): OomPolicy {
  if ((OOM_POLICIES as readonly string[]).includes(text)) return text as OomPolicy;
  throw new UsageError(`--oom-policy: expected continue, stop or kill, got ${JSON.stringify(text)}. See systemd.service(5) OOMPolicy=.`);
}

/** The drop-in's path relative to the root: etc/systemd/system/UNIT.d/50-oomwatch.conf. */
export const dropInRelPath = (unit: string): string => `etc/systemd/system/${unit}.d/${DROPIN_FILE}`;

export function renderDropIn(unit: string, adj: number, oomPolicy: OomPolicy | null): string {
  const lines = [
    `# Written by: oomwatch protect systemd ${unit} --adj ${adj}${oomPolicy ? ` --oom-policy ${oomPolicy}` : ''}`,
    '# systemd applies these at every start of the service, so they survive restarts (a runtime write to',
    '# /proc/PID/oom_score_adj does not). Apply with: systemctl daemon-reload && systemctl restart ' + unit,
    `# OOMScoreAdjust=${adj}: ${describeAdj(adj)}; child processes inherit it.`,
  ];
  if (oomPolicy) lines.push(`# OOMPolicy=${oomPolicy}: ${OOM_POLICY_MEANING[oomPolicy]}.`);
  lines.push('[Service]', `OOMScoreAdjust=${adj}`);
  if (oomPolicy) lines.push(`OOMPolicy=${oomPolicy}`);
  return `${lines.join('\n')}\n`;
}

/** The step that makes systemd use the drop-in, and why it is needed. */
export const reloadInstructions = (unit: string): string =>
  `Next: systemctl daemon-reload && systemctl restart ${unit}\n` +
  'daemon-reload makes systemd read the new drop-in; the restart applies OOMScoreAdjust= to the running service. ' +
  'From then on systemd sets it at every start, so it survives restarts where a runtime write does not.';
