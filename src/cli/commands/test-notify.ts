/**
 * `oomwatch test-notify CHANNEL`: sends a test message through the channel's real sender and says exactly
 * what failed and how to fix it. On success it also marks the channel healthy in the database (if one
 * exists), so `oomwatch alerts` stops showing a repaired channel as broken.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { systemClock } from '../../clock.js';
import { resolveChannels } from '../../notify/channels.js';
import { testMessage } from '../../notify/message.js';
import { createNotifier } from '../../notify/registry.js';
import { NotFoundError, NotifyError } from '../../errors.js';
import { openStore } from '../../store/store.js';
import { loadCommandConfig, resolveDbPath } from '../common.js';
import type { CliIo } from '../io.js';

export function registerTestNotify(program: Command, io: CliIo): void {
  program
    .command('test-notify')
    .description('Send a test message through a configured channel and explain any failure')
    .argument('<channel>', 'channel name (a key under channels: in the config)')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database whose channel health to update on success')
    .action(async (name: string, opts: { config?: string; db?: string }) => {
      const loaded = loadCommandConfig(io, opts.config);
      const raw = loaded.config.channels[name];
      if (!raw) {
        const known = Object.keys(loaded.config.channels);
        throw new NotFoundError(
          `No channel named "${name}" in ${loaded.source}. Configured channels: ${known.length ? known.join(', ') : 'none'}. ` +
            'Pass one of those, or add the channel under channels: in the config.',
        );
      }
      // Only this channel's secrets are read: another channel's missing variable must not hide this test.
      const [channel] = resolveChannels({ [name]: raw }, { env: io.env }, loaded.source);
      const host = loaded.config.agent.hostname ?? hostname();
      const notifier = createNotifier(channel, { log: io.log, clock: systemClock, writeConsole: (t) => io.err(t) });
      const outcome = await notifier.send(testMessage(name, host, systemClock.nowMs()));
      notifier.close?.();
      if (!outcome.ok) {
        const when = outcome.retryable
          ? 'This looks temporary: the agent retries such failures with backoff.'
          : 'This will not fix itself: the agent marks the channel broken until it is fixed.';
        throw new NotifyError(
          name,
          outcome.retryable,
          `test message to channel "${name}" (${channel.type}) failed: ${outcome.error.message}\n${when}`,
          { cause: outcome.error },
        );
      }
      io.out(`Sent a test message to channel "${name}" (${channel.type}).`);
      markHealthy(io, resolveDbPath(loaded.config, opts.db, io.env), name);
    });
}

function markHealthy(io: CliIo, dbPath: string, channel: string): void {
  if (!existsSync(dbPath)) return;
  try {
    const store = openStore(dbPath);
    try {
      store.outbox.delivery.markSent(channel, [], systemClock.nowMs());
    } finally {
      store.close();
    }
  } catch (err) {
    io.err(
      `oomwatch: warning: the test message was sent, but the channel's health in ${dbPath} was not updated: ${(err as Error).message}`,
    );
  }
}
