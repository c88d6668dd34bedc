/** Cross-checks for `channels:` (spread into config/cross-checks.ts). Pure: config in, messages out. */
import { ruleWhere, type CrossCheck } from '../config/cross-checks.js';
import { isLoopbackHost } from '../util/net.js';

export const channelCrossChecks: CrossCheck[] = [
  function routedChannelsExist(ctx) {
    const { config, errors } = ctx;
    const known = Object.keys(config.channels);
    const check = (names: readonly string[] | undefined, where: string) => {
      for (const n of names ?? []) {
        if (!known.includes(n)) {
          errors.push(`${where}: no channel named "${n}" under channels: (configured: ${known.join(', ') || 'none'}). Fix the name or add the channel.`);
        }
      }
    };
    config.rules.forEach((r, i) => check((r as { channels?: string[] }).channels, `${ctx.ruleSources[i]?.path ?? ruleWhere(ctx, i)}.channels`));
    check((config.alerting as { defaultChannels?: string[] }).defaultChannels, 'alerting.defaultChannels');
  },
  function alertmanagerNeedsResolved({ config, errors }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.type === 'alertmanager' && !ch.sendResolved) {
        errors.push(`channels.${name}.sendResolved: Alertmanager must be told when an alert resolves, or it keeps it firing until endsAt. Remove sendResolved: false.`);
      }
    }
  },
  function backoffOrder({ config, errors }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.retry.initialBackoff > ch.retry.maxBackoff) {
        errors.push(`channels.${name}.retry: initialBackoff (${ch.retry.initialBackoff} ms) is longer than maxBackoff (${ch.retry.maxBackoff} ms). Lower initialBackoff or raise maxBackoff.`);
      }
      if (ch.retry.giveUpAfter < ch.retry.maxBackoff) {
        errors.push(`channels.${name}.retry.giveUpAfter: ${ch.retry.giveUpAfter} ms is shorter than maxBackoff (${ch.retry.maxBackoff} ms), so a notification could expire after one retry. Set it to hours (default 24h).`);
      }
    }
  },
  function slackRateLimit({ config, warnings }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.type === 'slack' && ch.minInterval < 1000) {
        warnings.push(`channels.${name}.minInterval: Slack accepts about one message per second per webhook and answers 429 beyond that. Remove minInterval (default 1s).`);
      }
    }
  },
  function smtpInClear({ config, warnings }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.type !== 'email' || isLoopbackHost(ch.host)) continue;
      const secure = ch.secure ?? ch.port === 465;
      const requireTLS = ch.requireTLS ?? (!secure && ch.port === 587);
      if (!secure && !requireTLS) {
        warnings.push(
          `channels.${name}: SMTP to ${ch.host}:${ch.port} does not require TLS, so ${ch.auth ? 'the password and ' : ''}alerts may cross the network in clear text. ` +
            'Use port 587 (STARTTLS, required by default) or 465 (secure: true), or set requireTLS: true.',
        );
      }
      if (!ch.tls.rejectUnauthorized) {
        warnings.push(`channels.${name}.tls.rejectUnauthorized: false accepts any certificate, so anyone on the path can read the mail. Set tls.caFile to your CA instead.`);
      }
    }
  },
];
