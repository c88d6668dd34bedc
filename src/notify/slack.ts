/**
 * Slack incoming webhook sender (thin): renders with render/slack.ts, posts with @slack/webhook and an
 * explicit timeout, and classifies the answer as every HTTP channel does (outcome.ts classifyHttpStatus).
 * @slack/webhook does not retry (retryConfig retries: 0): the outbox does. Its HTTP error does not keep the response headers, so a wrapping fetch keeps
 * Retry-After for 429s. Slack's error bodies (https://api.slack.com/messaging/webhooks#handling_errors)
 * are turned into fixes.
 */
import type { FetchFunction } from '@slack/webhook';
import type { ResolvedChannelOf } from './config.js';
import type { Notifier, NotifyDeps } from './notifier.js';
import {
  classifyHttpStatus,
  delivered,
  describeBuildError,
  describeNetworkError,
  failed,
  isRequestBuildError,
  parseRetryAfterMs,
  safeOrigin,
} from './outcome.js';
import { renderSlack } from './render/slack.js';

const PERMANENT_HINTS: Record<string, string> = {
  no_service:
    'the webhook was revoked or never existed. Create a new incoming webhook (Slack app → Incoming Webhooks) and put its URL in webhookUrl',
  no_team: 'the Slack workspace of this webhook no longer exists. Create a webhook in the right workspace and put its URL in webhookUrl',
  channel_not_found: "the webhook's Slack channel was deleted. Create a new webhook for an existing channel",
  channel_is_archived: "the webhook's Slack channel is archived. Unarchive it or create a webhook for another channel",
  action_prohibited: "a Slack admin restricted posting to this channel. Ask them, or use another channel's webhook",
  posting_to_general_channel_denied: "only admins may post to this channel. Use another channel's webhook",
  invalid_token: 'the webhook URL is not valid (wrong or truncated token). Copy the full URL from the Slack app again',
  invalid_payload: 'Slack rejected the message format. This is a bug in oomwatch; please report it with the log line',
  no_text: 'Slack rejected the message format (no text). This is a bug in oomwatch; please report it',
};

export function createSlackNotifier(cfg: ResolvedChannelOf<'slack'>, deps: NotifyDeps): Notifier {
  const url = cfg.webhookUrl.reveal();
  const where = safeOrigin(url);
  return {
    channel: cfg.name,
    async send(msg) {
      let retryAfterHeader: string | null = null;
      // Keeps the 429 Retry-After header, which IncomingWebhookHTTPError drops.
      const keepHeaders: FetchFunction = async (u, init) => {
        const res = await fetch(u, init);
        retryAfterHeader = res.headers.get('retry-after');
        return res;
      };
      // Loaded at the first message, not with the agent (most agents send none for days).
      const { IncomingWebhook } = await import('@slack/webhook');
      const hook = new IncomingWebhook(url, { timeout: cfg.timeout, retryConfig: { retries: 0 }, fetch: keepHeaders });
      try {
        await hook.send(renderSlack(msg, { mentions: cfg.mentions, mentionAt: cfg.mentionAt }));
        return delivered;
      } catch (err) {
        const e = err as { code?: string; statusCode?: number; body?: string; original?: unknown };
        if (e.code === 'slack_webhook_http_error' && typeof e.statusCode === 'number') {
          const body = (e.body ?? '').trim().slice(0, 200);
          const said = `Slack answered ${e.statusCode}${body ? ` ${body}` : ''}`;
          const answer = classifyHttpStatus(e.statusCode);
          if (answer === 'rate-limited') {
            const retryAfterMs = parseRetryAfterMs(retryAfterHeader, e.body ?? '', deps.clock.nowMs());
            return failed(
              cfg.name,
              true,
              `${said}: rate limited (more than one message per second to this webhook); waiting ${retryAfterMs ?? 'with backoff'}${retryAfterMs !== undefined ? ' ms as Slack asked' : ''} before retrying.`,
              { retryAfterMs },
            );
          }
          if (answer === 'retryable') return failed(cfg.name, true, `${said}: a Slack-side error; it will be retried with backoff.`);
          const hint =
            PERMANENT_HINTS[body] ??
            'Slack refused the webhook; retrying will not help. Check webhookUrl, then run oomwatch test-notify ' + cfg.name;
          return failed(cfg.name, false, `${said}: ${hint}.`);
        }
        // No `cause`: the raw error may quote the webhook URL, whose path is the secret.
        const original = e.original ?? err;
        if (isRequestBuildError(original))
          return failed(cfg.name, false, `Slack webhook: ${describeBuildError(original, where, cfg.name)}`);
        return failed(cfg.name, true, `Slack webhook: ${describeNetworkError(original, where, cfg.timeout)}`);
      }
    },
  };
}
