/**
 * Console channel: one structured log line (for journald / log shippers) and the human-readable text
 * (render/text.ts: control and bidi characters already neutralised) through an injected writer.
 */
import type { ResolvedChannelOf } from './config.js';
import type { Notifier, NotifyDeps } from './notifier.js';
import { delivered } from './outcome.js';
import { renderText } from './render/text.js';

export function createConsoleNotifier(cfg: ResolvedChannelOf<'console'>, deps: NotifyDeps): Notifier {
  const log = deps.log.child({ mod: 'notify', channel: cfg.name });
  const write = deps.writeConsole ?? ((t: string) => void process.stderr.write(t));
  return {
    channel: cfg.name,
    async send(msg) {
      log.info(
        {
          kind: msg.kind,
          notifications: msg.notificationCount,
          alerts: msg.alerts.map((a) => ({
            fingerprint: a.fingerprint,
            ruleId: a.ruleId,
            state: a.state,
            resolution: a.resolution,
            severity: a.severity,
          })),
        },
        'notification',
      );
      write(`${renderText(msg)}\n`);
      return delivered;
    },
  };
}
