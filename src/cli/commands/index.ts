import type { Command } from 'commander';
import type { CliIo } from '../io.js';

type Register = (program: Command, io: CliIo) => void;

/**
 * Each command lives in its own file and is listed here (one line each), loaded on demand: `oomwatch run`
 * loads the agent and nothing of the report, import or protection commands (every module loaded stays in
 * the long-running agent's memory). Order is the order of `oomwatch --help`.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run.js')).registerRun,
  sample: async () => (await import('./sample.js')).registerSample,
  top: async () => (await import('./top.js')).registerTop,
  history: async () => (await import('./history.js')).registerHistory,
  doctor: async () => (await import('./doctor.js')).registerDoctor,
  service: async () => (await import('./service.js')).registerServiceCommand,
  protect: async () => (await import('./protect.js')).registerProtect,
  'test-notify': async () => (await import('./test-notify.js')).registerTestNotify,
  incidents: async () => (await import('./incidents.js')).registerIncidents,
  incident: async () => (await import('./incident.js')).registerIncident,
  import: async () => (await import('./import.js')).registerImport,
  alerts: async () => (await import('./alerts.js')).registerAlerts,
  silence: async () => (await import('./silence.js')).registerSilence,
  report: async () => (await import('./report.js')).registerReport,
  config: async () => (await import('./config.js')).registerConfig,
  fleet: async () => (await import('./fleet.js')).registerFleet,
};

/**
 * Registers the command that `argv` names, or every command when it names none of them (help, a typo:
 * commander then lists them all or suggests the nearest one).
 */
export async function registerCommands(program: Command, io: CliIo, argv: readonly string[] = []): Promise<void> {
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const name of wanted) (await COMMANDS[name]())(program, io);
}
