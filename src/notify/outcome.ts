/**
 * What a send returns: delivered, or failed with "should I retry?" (Alertmanager's notifier contract).
 * Messages say what happened and what to do, and never contain a secret (no webhook URL paths,
 * no passwords): `where` is only ever a host:port.
 */
import { NotifyError } from '../errors.js';

export type SendOutcome = { ok: true } | { ok: false; retryable: boolean; error: NotifyError; retryAfterMs?: number };

export const delivered: SendOutcome = { ok: true };

export function failed(
  channel: string,
  retryable: boolean,
  message: string,
  opts: { cause?: unknown; retryAfterMs?: number } = {},
): SendOutcome {
  const error = new NotifyError(channel, retryable, message, { cause: opts.cause, retryAfterMs: opts.retryAfterMs });
  return opts.retryAfterMs !== undefined
    ? { ok: false, retryable, error, retryAfterMs: opts.retryAfterMs }
    : { ok: false, retryable, error };
}

/**
 * What an HTTP answer means for a delivery, the same for every HTTP channel (Slack, webhook, Alertmanager):
 * 2xx delivered; 429 rate limited (retry after Retry-After); 408 (the server timed out waiting) and 5xx retryable
 * with backoff; any other status permanent (retrying cannot help: the channel's settings must change).
 */
export type HttpAnswer = 'delivered' | 'rate-limited' | 'retryable' | 'permanent';

export function classifyHttpStatus(status: number): HttpAnswer {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 429) return 'rate-limited';
  if (status === 408 || status >= 500) return 'retryable';
  return 'permanent';
}

/** host:port of a URL, safe to print (a webhook's secret is in its path or query). */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(an invalid URL)';
  }
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); also Slack's JSON
 * `retry_after` (seconds) in the body. Returns undefined when absent or unparsable.
 */
export function parseRetryAfterMs(header: string | null | undefined, body: string, nowMs: number): number | undefined {
  if (header) {
    const secs = Number(header.trim());
    if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const m = /"retry_after"\s*:\s*(\d+(?:\.\d+)?)/.exec(body);
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/**
 * Text from an exception, safe to log and store: URLs become their host:port (a webhook's secret is in
 * its path, a password in its user info) and quoted values (fetch quotes a bad header's value) are hidden.
 */
export function scrubSecrets(text: string): string {
  return (
    text
      .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => safeOrigin(url))
      // Greedy: a quoted value may hold quotes of its own (Digest username="bob", response="…").
      .replace(/"[\s\S]*"/g, '"(hidden)"')
      .replace(/'[\s\S]*'/g, "'(hidden)'")
  );
}

/**
 * A request that could not even be built (fetch's TypeError before any network I/O: credentials in the
 * URL, a forbidden port, an invalid header value). Retrying cannot help: the channel's settings must change.
 */
export function isRequestBuildError(err: unknown): boolean {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name !== 'TypeError') return false;
  if (e.message !== 'fetch failed') return !e.cause?.code;
  return e.cause?.message === 'bad port'; // undici refuses "bad ports" before connecting
}

/** Why a request could not be built, with the fix; no secret in it. */
export function describeBuildError(err: unknown, where: string, channel: string): string {
  const e = err as { message?: string; cause?: { message?: string } };
  const raw = scrubSecrets(e?.message === 'fetch failed' && e.cause?.message ? e.cause.message : String(e?.message ?? err));
  const hint = /credentials/i.test(raw)
    ? "put the user and password in the channel's headers (Authorization), not in the URL"
    : /port/i.test(raw)
      ? 'use another port: this one is blocked by the HTTP client for safety'
      : /header/i.test(raw)
        ? 'fix the header value (no newlines or control characters; check the secret file for a trailing line)'
        : "fix the channel's URL and headers";
  return `the request to ${where} could not be built (${raw}): ${hint}, then run oomwatch test-notify ${channel}. It will not be retried until the config changes.`;
}

/** A network-level failure (no HTTP answer) in words, with the fix. Retryable. */
export function describeNetworkError(err: unknown, where: string, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } };
  const inner = e.cause ?? {};
  const code = inner.code ?? e.code ?? '';
  if (e.name === 'TimeoutError' || inner.name === 'TimeoutError' || e.name === 'AbortError' || inner.name === 'AbortError') {
    return `no answer from ${where} within ${timeoutMs} ms (timeout). The server or a proxy is hanging; it will be retried. Raise the channel's timeout if the server is just slow.`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where}: nothing listens there. Check the host and port in the channel's settings, and that the service runs.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host name of ${where} (${code}). Check the URL's host name and the machine's DNS (/etc/resolv.conf).`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the connection to ${where} was reset (${code}). A proxy or firewall may be cutting it; it will be retried.`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable (${code}). Check the network route, firewall or proxy (HTTPS_PROXY).`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${where} timed out (${code}). Check firewalls and proxies; it will be retried.`;
    default:
      if (/certificate|self[- ]signed|SSL|TLS/i.test(`${code} ${inner.message ?? ''}`)) {
        return `TLS with ${where} failed (${scrubSecrets(code || inner.message || '')}). Check the server certificate, or the machine's CA bundle (NODE_EXTRA_CA_CERTS).`;
      }
      return `request to ${where} failed: ${scrubSecrets(code || inner.message || e.message || String(err))}. It will be retried.`;
  }
}
