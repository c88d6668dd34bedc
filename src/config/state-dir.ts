import { isAbsolute, join } from 'node:path';

/** The system-wide state folder: the unit's StateDirectory=oomwatch. */
export const SYSTEM_STATE_DIR = '/var/lib/oomwatch';

export interface StateDirInputs {
  uid: number;
  env: NodeJS.ProcessEnv;
  /** The user's home folder (os.homedir()). */
  homeDir: string;
}

/**
 * Where the database lives when neither --db nor store.path nor agent.dataDir says otherwise. Always an absolute
 * path that does not depend on the working directory, so every command finds the agent's database from
 * anywhere, and starting the agent in a folder another user can write never adopts a file planted there:
 * - $OOMWATCH_STATE_DIR when set (packaging, tests);
 * - /var/lib/oomwatch for root (the systemd unit's StateDirectory=);
 * - otherwise $XDG_STATE_HOME/oomwatch, else ~/.local/state/oomwatch (XDG Base Directory spec; a relative
 *   XDG_STATE_HOME is ignored, as the spec says).
 */
export function defaultStateDir(inputs: StateDirInputs): string {
  const override = inputs.env.OOMWATCH_STATE_DIR;
  if (override && isAbsolute(override)) return override;
  if (inputs.uid === 0) return SYSTEM_STATE_DIR;
  const xdg = inputs.env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'oomwatch');
  return join(inputs.homeDir, '.local', 'state', 'oomwatch');
}

export const DB_FILE_NAME = 'oomwatch.db';
