import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { systemClock } from '../../clock.js';
import { applyAgentMemoryPragmas, openStore } from '../../store/db.js';
import { startAgent } from '../../agent/agent.js';
import { createAgentModules } from '../../agent/modules.js';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { parseDurationMs } from '../../util/duration.js';
import { loadCommandConfig, resolveDbPath } from '../common.js';
import type { CliIo } from '../io.js';

interface RunOptions {
  config?: string;
  db?: string;
  interval?: string;
  procRoot?: string;
}

function applyOverrides(config: Config, opts: RunOptions): Config {
  // A shallow copy: the channels hold resolved secret objects that a deep clone would strip of their methods.
  const out: Config = { ...config, sample: { ...config.sample } };
  if (opts.interval) {
    const ms = parseDurationMs(opts.interval);
    if (ms === null || ms < 100) throw new UsageError(`--interval: expected a duration such as 10s (at least 100ms), got ${JSON.stringify(opts.interval)}.`);
    out.sample.interval = ms;
    if (out.sample.keyframeEvery < ms) out.sample.keyframeEvery = ms;
  }
  if (opts.procRoot) out.sample.procRoot = opts.procRoot;
  return out;
}

export function registerRun(program: Command, io: CliIo): void {
  program
    .command('run')
    .description('Run the agent: sample, record OOM kills, alert, enforce the protection policy')
    .option('--config <file>', 'configuration file (default: $OOMWATCH_CONFIG, /etc/oomwatch/config.yaml, else the embedded default)')
    .option('--db <path>', 'SQLite database (default: store.path, else <agent.dataDir>/oomwatch.db)')
    .option('--interval <duration>', 'sampling interval, e.g. 10s')
    .option('--proc-root <dir>', 'procfs root')
    .action(async (opts: RunOptions) => {
      const loaded = loadCommandConfig(io, opts.config);
      const config = applyOverrides(loaded.config, opts);
      const log = createLogger({ level: config.agent.logLevel });
      const dbPath = resolveDbPath(config, opts.db);
      const db = openStore(dbPath);
      applyAgentMemoryPragmas(db);
      if (loaded.source === 'embedded default') {
        log.info(`no config file found: using the embedded default (database ${dbPath}, alerts to the console). See config/oomwatch.example.yaml.`);
      }
      const agent = await startAgent({ config, db, dbPath, log, clock: systemClock, modules: createAgentModules });
      const onStop = (sig: NodeJS.Signals) => void agent.stop(sig);
      const onHup = () => {
        try {
          const next = loadConfig({ path: opts.config ?? (loaded.source === 'embedded default' ? undefined : loaded.source), env: io.env });
          agent.reload(applyOverrides(next.config, opts));
          log.info({ source: next.source }, 'configuration reloaded');
        } catch (err) {
          const why = err instanceof ConfigError ? err.message : String(err);
          log.error(`configuration NOT reloaded, the previous one stays in force: ${why}`);
        }
      };
      process.on('SIGTERM', onStop);
      process.on('SIGINT', onStop);
      process.on('SIGHUP', onHup);
      try {
        await agent.done;
      } finally {
        process.off('SIGTERM', onStop);
        process.off('SIGINT', onStop);
        process.off('SIGHUP', onHup);
      }
    });
}
