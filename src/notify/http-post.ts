/**
 * A JSON request with fetch, an explicit timeout (AbortSignal.timeout) and no redirects, classified the
 * same way for every HTTP channel (classifyHttpStatus: 2xx delivered; 408, 429 and 5xx retryable, 429 with
 * Retry-After; other 4xx permanent); no answer (refused, reset, DNS, timeout) retryable.
 */
import {
  classifyHttpStatus,
  delivered,
  describeBuildError,
  describeNetworkError,
  failed,
  isRequestBuildError,
  parseRetryAfterMs,
  safeOrigin,
  type SendOutcome,
} from './outcome.js';

export interface JsonRequest {
  channel: string;
  /** What this is, for messages: "the webhook", "Alertmanager". */
  what: string;
  url: string;
  method?: 'POST' | 'GET';
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs: number;
  nowMs: number;
  /** Extra words for a permanent 4xx, by status. */
  hints?: Partial<Record<number, string>>;
}

export async function requestJson(req: JsonRequest): Promise<SendOutcome> {
  const where = safeOrigin(req.url);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method ?? 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'oomwatch', ...req.headers },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: 'error',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    if (isRequestBuildError(err)) return failed(req.channel, false, `${req.what}: ${describeBuildError(err, where, req.channel)}`);
    return failed(req.channel, true, `${req.what}: ${describeNetworkError(err, where, req.timeoutMs)}`);
  }
  let text = '';
  try {
    text = await res.text();
  } catch (err) {
    if (!res.ok) return failed(req.channel, true, `${req.what}: ${describeNetworkError(err, where, req.timeoutMs)}`, { cause: err });
  }
  const answer = classifyHttpStatus(res.status);
  if (answer === 'delivered') return delivered;
  const body = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  const said = `${req.what} at ${where} answered ${res.status}${body ? ` ${JSON.stringify(body)}` : ''}`;
  if (answer === 'rate-limited') {
    const retryAfterMs = parseRetryAfterMs(res.headers.get('retry-after'), text, req.nowMs);
    return failed(
      req.channel,
      true,
      `${said}: rate limited; waiting ${retryAfterMs !== undefined ? `${retryAfterMs} ms as asked` : 'with backoff'} before retrying.`,
      { retryAfterMs },
    );
  }
  if (answer === 'retryable') return failed(req.channel, true, `${said}: a server-side error; it will be retried with backoff.`);
  const hint =
    req.hints?.[res.status] ??
    "the request was refused; retrying will not help. Check the channel's URL and headers (credentials), then run oomwatch test-notify CHANNEL.";
  return failed(req.channel, false, `${said}: ${hint}`);
}
