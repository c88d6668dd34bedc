import type { Log } from '../log.js';

/** Everything a command may print to or read from the outside. Tests pass a fake. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (colour, in-place refresh). */
  isTty: boolean;
  log: Log;
  /** A command that finishes without an error but must not exit 0 (e.g. doctor found problems) sets this. */
  exitCode?: number;
  /** The database the command opened, so a SQLite error met after opening (a corrupt page) names the file. */
  storePath?: string;
}
