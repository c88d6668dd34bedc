/**
 * Alertmanager channel: POST <url>/api/v2/alerts (render/alertmanager.ts). Alertmanager resolves an alert
 * at its endsAt, so firing alerts must be re-posted on the channel's resendInterval: the dispatcher's
 * `resendFiring(alerts)` does that with the currently firing alerts the rules engine passes in.
 * A test message only checks that Alertmanager answers (GET /api/v2/status): a test alert would page people.
 */
import type { ResolvedChannelOf } from './config.js';
import { requestJson } from './http-post.js';
import type { Notifier, NotifyDeps } from './notifier.js';
import { delivered } from './outcome.js';
import { renderAlertmanager } from './render/alertmanager.js';

export function createAlertmanagerNotifier(cfg: ResolvedChannelOf<'alertmanager'>, deps: NotifyDeps): Notifier {
  const base = cfg.url.replace(/\/+$/, '');
  const headers = Object.fromEntries(Object.entries(cfg.headers).map(([k, v]) => [k, v.reveal()]));
  const hints = {
    400: 'Alertmanager rejected the alerts (invalid labels or times). This is a bug in oomwatch; please report it with the log line',
    401: "Alertmanager (or its proxy) wants credentials. Set them in the channel's headers",
    403: "Alertmanager (or its proxy) refused these credentials. Check the channel's headers",
    404: `nothing at ${'/api/v2/alerts'}. Set url to Alertmanager's base URL (e.g. http://127.0.0.1:9093), without a path`,
  };
  return {
    channel: cfg.name,
    async send(msg) {
      const nowMs = deps.clock.nowMs();
      if (msg.kind === 'test') {
        return requestJson({
          channel: cfg.name,
          what: 'Alertmanager',
          url: `${base}/api/v2/status`,
          method: 'GET',
          headers,
          timeoutMs: cfg.timeout,
          nowMs,
          hints,
        });
      }
      if (msg.alerts.length === 0) return delivered; // a report: Alertmanager takes only alerts
      const body = renderAlertmanager(msg.alerts, { nowMs, resendIntervalMs: cfg.resendInterval, generatorUrl: cfg.generatorUrl });
      return requestJson({
        channel: cfg.name,
        what: 'Alertmanager',
        url: `${base}/api/v2/alerts`,
        body,
        headers,
        timeoutMs: cfg.timeout,
        nowMs,
        hints,
      });
    },
  };
}
