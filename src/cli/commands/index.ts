import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerRun } from './run.js';
import { registerSample } from './sample.js';
import { registerTop } from './top.js';
import { registerHistory } from './history.js';
import { registerDoctor } from './doctor.js';
import { registerServiceCommand } from './service.js';
import { registerProtect } from './protect.js';
import { registerTestNotify } from './test-notify.js';
import { registerIncidents } from './incidents.js';
import { registerIncident } from './incident.js';
import { registerImport } from './import.js';
import { registerAlerts } from './alerts.js';
import { registerSilence } from './silence.js';
import { registerReport } from './report.js';
import { registerConfig } from './config.js';

/** Each command lives in its own file and registers itself here (one line each). */
export function registerCommands(program: Command, io: CliIo): void {
  registerRun(program, io);
  registerSample(program, io);
  registerTop(program, io);
  registerHistory(program, io);
  registerDoctor(program, io);
  registerServiceCommand(program, io);
  registerProtect(program, io);
  registerTestNotify(program, io);
  registerIncidents(program, io);
  registerIncident(program, io);
  registerImport(program, io);
  registerAlerts(program, io);
  registerSilence(program, io);
  registerReport(program, io);
  registerConfig(program, io);
}
