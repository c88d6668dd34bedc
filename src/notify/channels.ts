/** Turns the config's `channels:` map into resolved channels (secrets read). Called once at load. */
import type { Config } from '../config/schema.js';
import type { ResolvedChannel } from '../config/sections/channels.js';
import { resolveSecrets, type SecretIo } from '../config/secrets.js';

/**
 * Reads every channel secret (inline, {file}, {env}). Throws one ConfigError listing every missing file or
 * variable, naming the key and the fix; never the value.
 */
export function resolveChannels(channels: Config['channels'], io: SecretIo, source = 'the configuration'): ResolvedChannel[] {
  const resolved = resolveSecrets(channels, 'channels', io, source);
  return Object.entries(resolved).map(([name, c]) => ({ ...c, name }) as ResolvedChannel);
}
