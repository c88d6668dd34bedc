/**
 * Typed errors. Every error a user can meet has a code, a message that says what was expected,
 * what was found and what to do, and (where there is one) the underlying cause.
 * Exit codes are decided in one place: `exitCodeFor` (used by cli/main.ts only).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'PROC_READ'
  | 'KMSG_UNREADABLE'
  | 'STORE_UNWRITABLE'
  | 'STORE_LOCKED'
  | 'STORE_UNTRUSTED'
  | 'STORE_OUTDATED'
  | 'MIGRATION_CHANGED'
  | 'NOTIFY_FAILED'
  | 'FLEET_UNAVAILABLE'
  | 'PARSE_FAILED'
  | 'NOT_FOUND'
  | 'USAGE'
  | 'PERMISSION'
  | 'INTERNAL';

export abstract class OomwatchError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends OomwatchError {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Fix the keys named above (config/oomwatch.example.yaml documents every key) and start again.',
      options,
    );
  }
}

export class ProcReadError extends OomwatchError {
  readonly code = 'PROC_READ';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(`Unexpected error reading ${path}. Check that procfs is mounted there (or fix --proc-root).`, options);
  }
}

export class KmsgUnreadableError extends OomwatchError {
  readonly code = 'KMSG_UNREADABLE';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot read ${path}: OOM kills are recorded from the kernel counters only, without the kernel's report. ` +
        'Run oomwatch as root, or grant CAP_SYSLOG (AmbientCapabilities=CAP_SYSLOG in the systemd unit; ' +
        'needed when kernel.dmesg_restrict=1), or set kernel.enabled: false to silence this.',
      options,
    );
  }
}

export class StoreError extends OomwatchError {
  readonly code = 'STORE_UNWRITABLE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A database, a file beside it or a folder above it that another user could have planted or can change. */
export class UntrustedStoreError extends OomwatchError {
  readonly code = 'STORE_UNTRUSTED';
  constructor(
    readonly dbPath: string,
    message: string,
  ) {
    super(message);
  }
}

/** A database older than this release, opened read-only (only the agent migrates). */
export class StoreOutdatedError extends OomwatchError {
  readonly code = 'STORE_OUTDATED';
  constructor(
    readonly dbPath: string,
    readonly schemaVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `The database ${dbPath} has schema version ${schemaVersion}; this release of oomwatch reads version ${codeVersion}. ` +
        `Run the agent once to upgrade this database (${dbPath}): start oomwatch run (or the service) with this release, then try again.`,
    );
  }
}

export class StoreLockedError extends OomwatchError {
  readonly code = 'STORE_LOCKED';
  constructor(
    readonly dbPath: string,
    readonly holderPid: number,
  ) {
    super(
      `Another oomwatch agent (pid ${holderPid}) is already running on ${dbPath}. ` +
        'Stop it first (systemctl stop oomwatch, or kill ' +
        holderPid +
        '), or give this one its own --db.',
    );
  }
}

export class MigrationChangedError extends OomwatchError {
  readonly code = 'MIGRATION_CHANGED';
  constructor(readonly migration: string) {
    super(
      `Migration ${migration} was changed after it was applied to this database (checksum differs). ` +
        'Reinstall the oomwatch release that created the database, or restore migrations/ from it.',
    );
  }
}

export class NotifyError extends OomwatchError {
  readonly code = 'NOTIFY_FAILED';
  constructor(
    readonly channel: string,
    readonly retryable: boolean,
    message: string,
    options?: ErrorOptions & { retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs?: number;
}

/** The fleet's PostgreSQL cannot be reached or refused a command's query (src/fleet). */
export class FleetDatabaseError extends OomwatchError {
  readonly code = 'FLEET_UNAVAILABLE';
}

export class ParseError extends OomwatchError {
  readonly code = 'PARSE_FAILED';
  constructor(
    readonly what: string,
    readonly sourceText: string,
    detail = '',
  ) {
    super(`Cannot parse ${what}${detail ? ` (${detail})` : ''}: ${JSON.stringify(truncate(sourceText, 120))}`);
  }
}

/** A file given as a text log that holds binary data (a journal file, a compressed log). */
export class NotTextError extends OomwatchError {
  readonly code = 'PARSE_FAILED';
}

export class NotFoundError extends OomwatchError {
  readonly code = 'NOT_FOUND';
}

export class UsageError extends OomwatchError {
  readonly code = 'USAGE';
}

export class PermissionError extends OomwatchError {
  readonly code = 'PERMISSION';
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** sysexits(3)-style exit codes; 78 (EX_CONFIG) lets systemd's RestartPreventExitStatus=78 stop a crash loop. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'CONFIG_INVALID':
      return 78; // EX_CONFIG
    case 'USAGE':
      return 64; // EX_USAGE
    case 'NOT_FOUND':
    case 'STORE_OUTDATED':
      return 66; // EX_NOINPUT
    case 'PARSE_FAILED':
      return 65; // EX_DATAERR
    case 'STORE_UNWRITABLE':
    case 'MIGRATION_CHANGED':
      return 73; // EX_CANTCREAT
    case 'STORE_LOCKED':
      return 75; // EX_TEMPFAIL
    case 'PERMISSION':
    case 'STORE_UNTRUSTED':
    case 'KMSG_UNREADABLE':
      return 77; // EX_NOPERM
    case 'NOTIFY_FAILED':
    case 'FLEET_UNAVAILABLE':
      return 69; // EX_UNAVAILABLE
    case 'PROC_READ':
      return 74; // EX_IOERR
    default:
      return 70; // EX_SOFTWARE
  }
}
