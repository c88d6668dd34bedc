/**
 * The HTTP side of the metrics endpoint: GET /metrics (Prometheus text format) and GET /healthz.
 * Thin on purpose: what is exported lives in registry.ts, whether the agent is healthy in health.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { OomwatchError } from '../errors.js';
import type { Log } from '../log.js';
import type { ListenAddress } from './config.js';

/** The metrics endpoint could not listen. The fix is in `metrics.listen`, hence the config exit code (78). */
export class MetricsListenError extends OomwatchError {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly listen: ListenAddress,
    errno: string | undefined,
    options?: ErrorOptions,
  ) {
    const where = `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
    const why =
      errno === 'EADDRINUSE'
        ? 'the port is already in use (another oomwatch, or another exporter)'
        : errno === 'EADDRNOTAVAIL' || errno === 'ENOTFOUND'
          ? 'no interface on this host has that address'
          : errno === 'EACCES'
            ? 'permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)'
            : `error ${errno ?? 'unknown'}`;
    super(
      `Cannot serve metrics on ${where}: ${why}. Set metrics.listen to a free local address (e.g. 127.0.0.1:9717), or metrics.enabled: false.`,
      options,
    );
  }
}

export interface HealthView {
  status: 'starting' | 'ok' | 'stale';
  lastTickAgeMs: number | null;
}

export interface MetricsServer {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

export function createMetricsServer(deps: {
  listen: ListenAddress;
  registry: Registry;
  health: () => HealthView;
  log: Log;
  /** Brings pulled values (alerts, queue) up to date; a failure is logged and the last values are served. */
  beforeScrape?: () => void;
}): MetricsServer {
  const { registry, log } = deps;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Only GET is served here.\n');
      return;
    }
    if (path === '/metrics') {
      try {
        deps.beforeScrape?.();
      } catch (err) {
        log.warn({ err }, 'metrics: could not refresh from the database; serving the previous values');
      }
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (path === '/healthz') {
      const h = deps.health();
      res.writeHead(h.status === 'stale' ? 503 : 200, { 'content-type': 'application/json' }).end(`${JSON.stringify(h)}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found. Try /metrics or /healthz.\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'metrics request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error; see the agent log.\n');
    });
  });
  // A scraper that holds a connection open must not keep the agent from stopping.
  server.keepAliveTimeout = 5_000;

  return {
    start: () =>
      new Promise((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => reject(new MetricsListenError(deps.listen, err.code, { cause: err }));
        server.once('error', onError);
        server.listen(deps.listen.port, deps.listen.host, () => {
          server.off('error', onError);
          server.on('error', (err) => log.error({ err }, 'metrics server error'));
          const port = (server.address() as AddressInfo).port;
          log.info({ host: deps.listen.host, port }, 'serving metrics on /metrics');
          resolve({ port });
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
