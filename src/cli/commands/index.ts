import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** Each command lives in its own file and registers itself here (one line each). */
export function registerCommands(program: Command, io: CliIo): void {
  void program;
  void io;
}
