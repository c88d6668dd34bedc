/**
 * A real HTTP server on loopback that records what it receives and answers as told: 200, 429 with
 * Retry-After / retry_after, 500, 404 with a Slack error body, slowly (delayMs), or hang (never answer).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `delayMs`: answer only after that long (a slow server); the request is recorded at once. */
export type SinkResponse = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | { hang: true };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else the raw text. */
  body: unknown;
  raw: string;
  atMs: number;
}

export interface HttpSink {
  /** Base URL with a webhook-like path, e.g. http://127.0.0.1:PORT/services/T000/B000/secretpart */
  url: string;
  origin: string;
  requests: ReceivedRequest[];
  /** Answers for the next requests, in order; after them, `fallback`. */
  queue(...responses: SinkResponse[]): void;
  fallback: SinkResponse;
  /** Resolves when at least n requests arrived (or rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpSink(fallback: SinkResponse = { status: 200, body: 'ok' }): Promise<HttpSink> {
  const requests: ReceivedRequest[] = [];
  const pending: SinkResponse[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : raw;
      } catch {
        body = raw; // not JSON: keep the text
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, raw, atMs: Date.now() });
      for (const w of waiters.splice(0)) w();
      const r = pending.shift() ?? sink.fallback;
      if ('hang' in r) return; // never answer; close() drops the connection
      const answer = () => {
        if (!res.destroyed) res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers }).end(r.body ?? '');
      };
      if (r.delayMs) setTimeout(answer, r.delayMs);
      else answer();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sink: HttpSink = {
    url: `${origin}/services/T000/B000/secretpart`,
    origin,
    requests,
    fallback,
    queue: (...r) => void pending.push(...r),
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > deadline) throw new Error(`http sink: expected ${n} requests, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return requests;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
  return sink;
}
