/** Generic JSON webhook: POSTs render/webhook.ts's body to the configured URL with the configured headers. */
import type { ResolvedChannelOf } from './config.js';
import { requestJson } from './http-post.js';
import type { Notifier, NotifyDeps } from './notifier.js';
import { renderWebhook } from './render/webhook.js';

export function createWebhookNotifier(cfg: ResolvedChannelOf<'webhook'>, deps: NotifyDeps): Notifier {
  const headers = Object.fromEntries(Object.entries(cfg.headers).map(([k, v]) => [k, v.reveal()]));
  return {
    channel: cfg.name,
    send: (msg) =>
      requestJson({
        channel: cfg.name,
        what: 'the webhook',
        url: cfg.url.reveal(),
        body: renderWebhook(msg),
        headers,
        timeoutMs: cfg.timeout,
        nowMs: deps.clock.nowMs(),
        hints: {
          401: "the receiver wants credentials. Set them in the channel's headers (e.g. Authorization: {env: HOOK_TOKEN})",
          403: "the receiver refused these credentials. Check the channel's headers",
          404: "nothing at that path. Check the channel's url",
        },
      }),
  };
}
