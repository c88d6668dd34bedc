/**
 * Connecting to the fleet's PostgreSQL with node-postgres: the URL (a secret) plus libpq-style TLS options,
 * and failures described with the fix. The URL's password never reaches a message: only host:port does.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConfigError } from '../errors.js';
import type { SslMode } from './config.js';

export interface FleetPostgresTarget {
  /** The revealed URL: keep it out of logs (describeTarget prints host:port/db only). */
  url: string;
  sslmode?: SslMode;
  sslrootcert?: string;
  timeoutMs: number;
}

/** `host:port/db` of a postgres URL, safe to print. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(an invalid PostgreSQL URL)';
  }
}

/** node-postgres's `ssl` option for a libpq sslmode (https://www.postgresql.org/docs/15/libpq-ssl.html). */
export function sslOptionFor(mode: SslMode, caPem: string | undefined): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    // node-postgres cannot fall back to plain text as libpq's prefer does: prefer encrypts without verifying, like require.
    case 'prefer':
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // The chain is checked against the CA, the host name is not (libpq's verify-ca).
      return { rejectUnauthorized: true, ...(caPem ? { ca: caPem } : {}), checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true, ...(caPem ? { ca: caPem } : {}) };
  }
}

/** The pool settings. With `sslmode` set here, TLS options written in the URL are dropped (the config wins). */
export function poolConfigFor(t: FleetPostgresTarget, opts: { max: number; readFile?: (path: string) => string }): pg.PoolConfig {
  let connectionString = t.url;
  let ssl: pg.PoolConfig['ssl'];
  if (t.sslmode) {
    let u: URL;
    try {
      u = new URL(t.url);
    } catch {
      throw new ConfigError('the configuration', [
        'fleet.postgres.url: not a URL. Write it as postgres://USER:PASSWORD@HOST:5432/DATABASE.',
      ]);
    }
    for (const k of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl']) u.searchParams.delete(k);
    connectionString = u.toString();
    let ca: string | undefined;
    if (t.sslrootcert) {
      try {
        ca = (opts.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(t.sslrootcert);
      } catch (err) {
        throw new ConfigError('the configuration', [
          `fleet.postgres.sslrootcert: cannot read ${t.sslrootcert} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Point it at the CA certificate (PEM) that signed the server's certificate.`,
        ]);
      }
    }
    ssl = sslOptionFor(t.sslmode, ca);
  }
  return {
    connectionString,
    ...(ssl !== undefined ? { ssl } : {}),
    max: opts.max,
    connectionTimeoutMillis: t.timeoutMs,
    statement_timeout: t.timeoutMs,
    query_timeout: t.timeoutMs + 1_000,
    idleTimeoutMillis: 30_000,
    application_name: 'oomwatch',
  };
}

export function openFleetPool(t: FleetPostgresTarget, max = 1): pg.Pool {
  const pool = new pg.Pool(poolConfigFor(t, { max }));
  // An idle client's connection dropping (server restart) is reported here; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATE classes and codes a later attempt can get past (connection, resources, shutdown, conflicts). */
const RETRYABLE_SQLSTATE = /^(08|53|57P0[1-3]|40001|40P01|55P03|58)/;

export interface PgFailure {
  retryable: boolean;
  message: string;
}

/** A failed query or connection in words, with the fix. */
export function describePgFailure(err: unknown, where: string): PgFailure {
  const e = err as { code?: string; message?: string; errors?: unknown[] };
  const code = e?.code ?? '';
  const inner = Array.isArray(e?.errors) && e.errors.length ? (e.errors[0] as { code?: string }) : null;
  const netCode = inner?.code ?? code;
  switch (netCode) {
    case 'ECONNREFUSED':
      return {
        retryable: true,
        message: `PostgreSQL at ${where} refused the connection: check that it runs and listens on that address, and the host and port in the URL.`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        retryable: true,
        message: `cannot resolve the host of ${where} (${netCode}). Check fleet.postgres.url's host name and the machine's DNS.`,
      };
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return {
        retryable: true,
        message: `the connection to PostgreSQL at ${where} failed (${netCode}). Check the network and firewalls; it will be retried.`,
      };
  }
  if (/timeout/i.test(e?.message ?? ''))
    return {
      retryable: true,
      message: `PostgreSQL at ${where} did not answer in time (${e.message}); it will be retried. Raise fleet.postgres.timeout if the server is just slow.`,
    };
  const text = (e?.message ?? String(err)).replace(/postgres(ql)?:\/\/[^\s]+/gi, where);
  if (code === '28P01' || code === '28000')
    return {
      retryable: false,
      message: `PostgreSQL at ${where} refused the login (${text}). Fix the user or password in fleet.postgres.url (and pg_hba.conf on the server).`,
    };
  if (code === '3D000')
    return { retryable: false, message: `PostgreSQL at ${where}: ${text}. Create the database, or fix its name in fleet.postgres.url.` };
  if (code === '42P01' || code === '42883')
    return {
      retryable: false,
      message: `PostgreSQL at ${where} has no fleet schema (${text}). Run oomwatch fleet migrate --postgres URL once, as the database owner.`,
    };
  if (code === '42501')
    return {
      retryable: false,
      message: `PostgreSQL at ${where}: ${text}. Grant the agents' role what docs/fleet.md "Roles and GRANTs" lists.`,
    };
  if (/SSL|TLS|certificate/i.test(text))
    return {
      retryable: false,
      message: `TLS with PostgreSQL at ${where} failed (${text}). Check fleet.postgres.sslmode and sslrootcert against the server's certificate.`,
    };
  return {
    retryable: RETRYABLE_SQLSTATE.test(code) || !code,
    message: `PostgreSQL at ${where}: ${text}${code ? ` (SQLSTATE ${code})` : ''}.`,
  };
}
