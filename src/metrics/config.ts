import { z } from 'zod';
import type { CrossCheck } from '../model/config-check.js';
import { isLoopbackHost } from '../util/net.js';

/** `host:port` or `[v6]:port`. Port 0 asks the kernel for a free port (tests). */
const LISTEN_RE = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `metrics.listen`. Returns null when the text is not `host:port` (the schema builds the message). */
export function parseListenAddress(text: string): ListenAddress | null {
  const m = LISTEN_RE.exec(text.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65_535) return null;
  return { host: m[1] ?? m[2], port };
}

export const metricsSection = z
  .object({
    /** Serve Prometheus metrics on `listen` (/metrics and /healthz). Off by default. */
    enabled: z.boolean().default(false),
    /**
     * Address to listen on. Loopback by default: the metrics name processes and units, so exposing
     * them beyond the host is a decision (put a firewall or a reverse proxy with TLS in front).
     */
    listen: z
      .string()
      .default('127.0.0.1:9717')
      .transform((v, ctx) => {
        const addr = parseListenAddress(v);
        if (!addr) {
          ctx.addIssue({
            code: 'custom',
            message: `expected host:port such as 127.0.0.1:9717 or [::1]:9717, got ${JSON.stringify(v)}`,
          });
          return z.NEVER;
        }
        return addr;
      }),
    /** How many of the riskiest processes (and fullest cgroups) get their own series. Bounds label cardinality. */
    topN: z.number().int().min(0).max(100).default(10),
  })
  .strict()
  .default({ enabled: false, listen: { host: '127.0.0.1', port: 9717 }, topN: 10 });

export type MetricsConfig = z.output<typeof metricsSection>;

/** Cross-checks of `metrics:` (run by config/cross-checks.ts). */
export const metricsCrossChecks: CrossCheck<{ metrics: MetricsConfig }>[] = [
  function metricsListenBeyondLoopback({ config, warnings }) {
    const { enabled, listen } = config.metrics;
    if (enabled && !isLoopbackHost(listen.host)) {
      warnings.push(
        `metrics.listen: ${listen.host}:${listen.port} accepts connections from other hosts; /metrics names processes and units. ` +
          'Restrict it with a firewall or a TLS reverse proxy, or listen on 127.0.0.1.',
      );
    }
  },
];
