/** Where the fleet database is: `--postgres URL`, else $OOMWATCH_FLEET_POSTGRES, else `fleet.postgres` (a secret). */
import { resolveSecret, type SecretIo } from '../util/secrets.js';
import { ConfigError, UsageError } from '../errors.js';
import type { FleetConfig } from './config.js';
import type { FleetPostgresTarget } from './pg-client.js';

export const FLEET_POSTGRES_ENV = 'OOMWATCH_FLEET_POSTGRES';

const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//i.test(s);

/** The configured target, or null when `fleet.postgres` is not set. Throws ConfigError naming the fix. */
export function resolveFleetTarget(fleet: FleetConfig, io: SecretIo): FleetPostgresTarget | null {
  const p = fleet.postgres;
  if (!p) return null;
  const url = resolveSecret(p.url, 'fleet.postgres.url', io);
  if (typeof url === 'string') throw new ConfigError('the configuration', [url]);
  if (!isPostgresUrl(url.reveal())) {
    throw new ConfigError('the configuration', [
      `fleet.postgres.url: the value (from ${url.origin}; not shown, it is a secret) is not a postgres:// URL. Expected postgres://USER:PASSWORD@HOST:5432/DATABASE.`,
    ]);
  }
  return { url: url.reveal(), sslmode: p.sslmode, sslrootcert: p.sslrootcert, timeoutMs: p.timeout };
}

/** For the fleet commands: the flag, the environment, then the config. */
export function commandFleetTarget(flag: string | undefined, fleet: FleetConfig, io: SecretIo): FleetPostgresTarget {
  const direct = flag ?? io.env[FLEET_POSTGRES_ENV];
  if (direct) {
    if (!isPostgresUrl(direct)) throw new UsageError(`--postgres: expected a URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE.`);
    const p = fleet.postgres;
    return { url: direct, sslmode: p?.sslmode, sslrootcert: p?.sslrootcert, timeoutMs: p?.timeout ?? 10_000 };
  }
  const fromConfig = resolveFleetTarget(fleet, io);
  if (!fromConfig) {
    throw new UsageError(
      `No fleet database named. Pass --postgres postgres://USER:PASSWORD@HOST:5432/DATABASE, set ${FLEET_POSTGRES_ENV}, or set fleet.postgres.url in the config.`,
    );
  }
  return fromConfig;
}
