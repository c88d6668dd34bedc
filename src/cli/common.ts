import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { CliIo } from './io.js';

/** The database path: --db, else store.path, else <agent.dataDir>/oomwatch.db (relative to the working directory). */
export function resolveDbPath(config: Config, cliDb?: string): string {
  if (cliDb) return resolve(cliDb);
  if (config.store.path) return resolve(config.store.path);
  return resolve(join(config.agent.dataDir, 'oomwatch.db'));
}

/** Loads the config for a command (--config, $OOMWATCH_CONFIG, /etc/oomwatch/config.yaml, embedded default) and prints warnings. */
export function loadCommandConfig(io: CliIo, configPath?: string): LoadedConfig {
  const loaded = loadConfig({ path: configPath, env: io.env });
  for (const w of loaded.warnings) io.err(`oomwatch: warning: ${w}`);
  return loaded;
}

/** Prints a value as stable, indented JSON. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
