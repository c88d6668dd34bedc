import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { systemClock } from '../../clock.js';
import { startAgent, type RunningAgent, type StoreLoss } from '../../agent/agent.js';
import { DEFAULT_PROC_ROOT, ProcFs } from '../../sample/procfs.js';
import { createAgentModules } from '../../agent/modules.js';
import { loadConfig } from '../../config/load.js';
import { resolveChannels } from '../../notify/channels.js';
import type { Config } from '../../config/schema.js';
import { parseDurationMs } from '../../util/duration.js';
import { loadCommandConfig, resolveDbPath, openCommandStore } from '../common.js';
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
    if (ms === null || ms < 100)
      throw new UsageError(`--interval: expected a duration such as 10s (at least 100ms), got ${JSON.stringify(opts.interval)}.`);
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
    .option(
      '--db <path>',
      'SQLite database (default: store.path, else <agent.dataDir>/oomwatch.db, else /var/lib/oomwatch/oomwatch.db as root, ~/.local/state/oomwatch/oomwatch.db otherwise)',
    )
    .option('--interval <duration>', 'sampling interval, e.g. 10s')
    .option('--proc-root <dir>', 'procfs root')
    .action(async (opts: RunOptions) => {
      const loaded = loadCommandConfig(io, opts.config);
      const config = applyOverrides(loaded.config, opts);
      // Everything that can be checked without the network is checked before the database is opened or the lock
      // taken: the schema and cross-checks (at load), then the channels' secrets and URLs, naming the file.
      resolveChannels(config.channels, { env: io.env }, loaded.source);
      const log = createLogger({ level: config.agent.logLevel });
      const dbPath = resolveDbPath(config, opts.db, io.env);
      if (loaded.source === 'embedded default') {
        log.info(
          `no config file found: using the embedded default (database ${dbPath}, alerts to the console). See config/oomwatch.example.yaml.`,
        );
      }
      // The agent's own /proc is the host's, whatever sample.procRoot points at.
      const selfProc = new ProcFs(DEFAULT_PROC_ROOT);
      let current: RunningAgent | null = null;
      let stopSignal: NodeJS.Signals | null = null;
      let liveConfig = config;
      const onStop = (sig: NodeJS.Signals) => {
        stopSignal = sig;
        void current?.stop(sig);
      };
      const onHup = () => {
        try {
          const next = loadConfig({ path: opts.config ?? (loaded.source === 'embedded default' ? undefined : loaded.source), env: io.env });
          liveConfig = applyOverrides(next.config, opts);
          current?.reload(liveConfig);
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
        // A database file deleted or replaced under the agent stops it; it starts over on a new file at the
        // same path (checked like any other), which records the loss.
        let storeLoss: StoreLoss | undefined;
        do {
          const store = openCommandStore(io, dbPath);
          store.applyAgentMemoryPragmas();
          current = await startAgent({
            config: liveConfig,
            store,
            log,
            clock: systemClock,
            selfProc,
            modules: createAgentModules,
            storeLoss,
          });
          if (stopSignal) void current.stop(stopSignal);
          await current.done;
          storeLoss = current.storeLoss() ?? undefined;
        } while (storeLoss && !stopSignal);
      } finally {
        process.off('SIGTERM', onStop);
        process.off('SIGINT', onStop);
        process.off('SIGHUP', onHup);
      }
    });
}
