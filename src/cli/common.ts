import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { DB_FILE_NAME, defaultStateDir } from '../config/state-dir.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { openStore, type OpenOptions, type Store } from '../store/store.js';
import type { CliIo } from './io.js';

/**
 * The database path: --db, else store.path, else <agent.dataDir>/oomwatch.db, else the fixed default
 * (/var/lib/oomwatch/oomwatch.db for root, ~/.local/state/oomwatch/oomwatch.db otherwise; see state-dir.ts).
 */
export function resolveDbPath(config: Config, cliDb: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (cliDb) return resolve(cliDb);
  if (config.store.path) return resolve(config.store.path);
  if (config.agent.dataDir) return resolve(join(config.agent.dataDir, DB_FILE_NAME));
  return join(defaultStateDir({ uid: process.getuid?.() ?? 0, env, homeDir: homedir() }), DB_FILE_NAME);
}

/**
 * Opens the store for a command and records its path on `io`, so a SQLite error met later names the file
 * (main.ts). Read-only, a database older than this release is a StoreOutdatedError naming the fix.
 */
export function openCommandStore(io: CliIo, dbPath: string, opts: OpenOptions = {}): Store {
  io.storePath = dbPath;
  return openStore(dbPath, opts);
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
