/** What the fleet commands share: where the fleet database is, and one connection to it with errors that name the fix. */
import type pg from 'pg';
import { FleetDatabaseError, OomwatchError } from '../../errors.js';
import { describePgFailure, describeTarget, openFleetPool, type FleetPostgresTarget } from '../../fleet/pg-client.js';
import { commandFleetTarget } from '../../fleet/target.js';
import { loadCommandConfig } from '../common.js';
import type { CliIo } from '../io.js';

export interface DbOpts {
  postgres?: string;
  config?: string;
}

/** The target of a fleet command: --postgres, the environment, then the config. */
export function fleetTargetOf(io: CliIo, opts: DbOpts): FleetPostgresTarget {
  const { config } = loadCommandConfig(io, opts.config);
  return commandFleetTarget(opts.postgres, config.fleet, { env: io.env });
}

/** Runs `fn` with one connection; a connection or query failure becomes a FleetDatabaseError that names the fix. */
export async function withFleetClient<T>(target: FleetPostgresTarget, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const pool = openFleetPool(target, 1);
  const where = describeTarget(target.url);
  try {
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  } catch (err) {
    if (err instanceof OomwatchError) throw err;
    throw new FleetDatabaseError(describePgFailure(err, where).message, { cause: err });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
