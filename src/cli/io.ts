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

/**
 * A reader that stops reading (`oomwatch doctor | head -1`) closes the pipe, and the next write fails with EPIPE.
 * That is the reader's choice, not an error: end quietly with `exit(0)`, as `yes | head -1` ends for yes, instead of
 * an unhandled 'error' event and its stack trace. Other write errors stay errors.
 */
export function endOnClosedPipe(stream: NodeJS.WritableStream, exit: (code: number) => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    exit(0);
  });
}
