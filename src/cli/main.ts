import { Command, CommanderError } from 'commander';
import { OomwatchError, exitCodeFor } from '../errors.js';
import { isSqliteError, storeErrorFrom } from '../store/db.js';
import { createLogger } from '../log.js';
import { packageVersion } from '../util/package-root.js';
import type { CliIo } from './io.js';
import { registerCommands } from './commands/index.js';

export function defaultIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    env: process.env,
    isTty: Boolean(process.stdout.isTTY),
    log: createLogger(),
  };
}

/** The program with the command `argv` names (every command when it names none: help, a typo). */
export async function buildProgram(io: CliIo, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('oomwatch')
    .description('Records and alerts on Linux OOM risk and OOM kills.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run oomwatch --help for usage)');
  await registerCommands(program, io, argv);
  return program;
}

/** argv → command → exit code. The only place that turns errors into exit codes. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    await (await buildProgram(io, argv)).parseAsync(argv);
    return io.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError)
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : err.exitCode === 1 ? 64 : err.exitCode;
    if (err instanceof OomwatchError) {
      io.err(`oomwatch: ${err.message}`);
      return exitCodeFor(err.code);
    }
    // A SQLite error after the database opened fine (a corrupt page read later, a file made read-only):
    // not a bug in oomwatch, but the database's state, with the same fixes as at open.
    if (isSqliteError(err)) {
      const e = storeErrorFrom(err, io.storePath ?? '(unknown path)', 'use');
      io.err(`oomwatch: ${e.message}`);
      return exitCodeFor(e.code);
    }
    io.err(
      `oomwatch: unexpected internal error. This is a bug in oomwatch; include this output when reporting it.\n${(err as Error)?.stack ?? String(err)}`,
    );
    return 70; // EX_SOFTWARE
  }
}
