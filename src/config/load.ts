import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import type { Config } from './schema.js';
import type { RuleOrigins } from './rule-list.js';
import { validateConfig } from './validate.js';

export const DEFAULT_CONFIG_PATH = '/etc/oomwatch/config.yaml';

export interface LoadedConfig {
  config: Config;
  /** Where it came from: a file path, or 'embedded default'. */
  source: string;
  warnings: string[];
  /** Where each effective rule came from (default, changed, added) and which defaults were turned off. */
  ruleOrigins: RuleOrigins;
}

/**
 * Finds and loads the config: --config, then $OOMWATCH_CONFIG, then /etc/oomwatch/config.yaml,
 * else the embedded default. An explicitly named file that is missing is an error.
 */
export function loadConfig(opts: { path?: string; env?: NodeJS.ProcessEnv; defaultPath?: string } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const explicit = opts.path ?? env.OOMWATCH_CONFIG;
  const fallback = opts.defaultPath ?? DEFAULT_CONFIG_PATH;
  if (explicit) return loadConfigFile(resolve(explicit));
  if (existsSync(fallback)) return loadConfigFile(fallback);
  return fromRaw({}, 'embedded default');
}

export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new ConfigError(path, [`cannot read the file: ${why}. Pass an existing file with --config or OOMWATCH_CONFIG.`], { cause: err });
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, source: string): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      source,
      doc.errors.map(
        (e) => `YAML syntax: ${e.message.split('\n')[0]}${e.linePos ? ` (line ${e.linePos[0].line})` : ''}. Fix the YAML syntax there.`,
      ),
    );
  }
  return fromRaw(doc.toJS() ?? {}, source);
}

function fromRaw(raw: unknown, source: string): LoadedConfig {
  if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(source, ['the top level must be a mapping of sections (agent:, sample:, store:, …).']);
  }
  const result = validateConfig(raw);
  if (!result.ok) throw new ConfigError(source, result.errors);
  return { config: result.config, source, warnings: result.warnings, ruleOrigins: result.ruleOrigins };
}
