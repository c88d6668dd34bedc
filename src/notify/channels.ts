/** Turns the config's `channels:` map into resolved channels (secrets read). Called once at load. */
import type { ChannelsConfig, ResolvedChannel } from './config.js';
import { resolveSecrets, type SecretIo } from '../util/secrets.js';
import { ConfigError } from '../errors.js';

/**
 * Reads every channel secret (inline, {file}, {env}) and checks that secret URLs are URLs. Throws one
 * ConfigError listing every problem, naming the key and the fix; never the value.
 */
export function resolveChannels(channels: ChannelsConfig, io: SecretIo, source = 'the configuration'): ResolvedChannel[] {
  const resolved = Object.entries(resolveSecrets(channels, 'channels', io, source)).map(([name, c]) => ({ ...c, name }));
  const problems: string[] = [];
  for (const ch of resolved) {
    const url =
      ch.type === 'slack' ? { key: 'webhookUrl', value: ch.webhookUrl } : ch.type === 'webhook' ? { key: 'url', value: ch.url } : null;
    if (url && !isHttpUrl(url.value.reveal())) {
      const example = ch.type === 'slack' ? 'https://hooks.slack.com/services/T…/B…/…' : 'https://receiver.example.com/hook';
      problems.push(
        `channels.${ch.name}.${url.key}: the value (from ${url.value.origin}; not shown, it is a secret) is not an http(s) URL. Expected e.g. ${example}.`,
      );
    }
  }
  if (problems.length) throw new ConfigError(source, problems);
  return resolved;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
