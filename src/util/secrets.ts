/**
 * Secrets in the config (Slack webhook URLs, SMTP passwords, webhook headers): inline, `{file: path}` or
 * `{env: NAME}`. The schema turns each into a SecretRef; `resolveChannelSecrets` reads files and the
 * environment once at load. A Secret prints as "[redacted]" everywhere (toString, JSON, util.inspect, pino),
 * so it cannot reach logs, errors or --json output by accident; only a sender calls `reveal()`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;
  /** Where the value came from, safe to print: 'inline', 'file /run/secrets/x', 'env SLACK_URL'. */
  readonly origin: string;
  constructor(value: string, origin: string) {
    this.#value = value;
    this.origin = origin;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED}, ${this.origin})`;
  }
}

/** A secret as written in the config, not yet read. */
export class SecretRef {
  constructor(readonly source: { inline: Secret } | { file: string } | { env: string }) {}
  describe(): string {
    return 'inline' in this.source ? 'inline' : 'file' in this.source ? `file ${this.source.file}` : `env ${this.source.env}`;
  }
  toJSON(): unknown {
    return 'inline' in this.source ? REDACTED : this.source;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SecretRef(${this.describe()})`;
  }
}

/** Replaces every SecretRef inside T with a Secret. */
export type Resolved<T> = T extends SecretRef
  ? Secret
  : T extends Secret
    ? Secret
    : T extends readonly (infer U)[]
      ? Resolved<U>[]
      : T extends object
        ? { [K in keyof T]: Resolved<T[K]> }
        : T;

export interface SecretIo {
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/**
 * Reads one secret. Returns the Secret, or a problem message naming the key and the fix (never the value).
 * A file's trailing newline is dropped (`echo URL > file` is the common way to write one).
 */
export function resolveSecret(ref: SecretRef, where: string, io: SecretIo): Secret | string {
  const s = ref.source;
  if ('inline' in s) return s.inline;
  if ('env' in s) {
    const v = io.env[s.env];
    if (v === undefined || v === '')
      return `${where}: environment variable ${s.env} is not set or empty. Export it in the service's environment (systemd: Environment= or EnvironmentFile=) or write the value in the config.`;
    return new Secret(v, `env ${s.env}`);
  }
  try {
    const text = (io.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(s.file).replace(/\r?\n$/, '');
    if (text === '') return `${where}: the secret file ${s.file} is empty. Write the secret into it.`;
    return new Secret(text, `file ${s.file}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable by this user (permission denied)'
          : `cannot be read (${code ?? String(err)})`;
    return `${where}: the secret file ${s.file} ${why}. Create it, fix its permissions (chmod 600, owned by the oomwatch user), or point ${where} at another file.`;
  }
}

/** Deep-resolves every SecretRef in a value; collects all problems, then throws one ConfigError. */
export function resolveSecrets<T>(value: T, where: string, io: SecretIo, source = 'the configuration'): Resolved<T> {
  const problems: string[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof SecretRef) {
      const r = resolveSecret(v, path, io);
      if (typeof r === 'string') {
        problems.push(r);
        return undefined;
      }
      return r;
    }
    if (v instanceof Secret || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}.${i}`));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
  };
  const out = walk(value, where);
  if (problems.length) throw new ConfigError(source, problems);
  return out as Resolved<T>;
}

/** `scheme://user:password@host…` → `scheme://[redacted]@host…`: credentials written into a plain URL setting. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]+@/i, `$1${REDACTED}@`);
}

/**
 * A deep copy for printing a config: an inline secret becomes "[redacted]", a `{file:}`/`{env:}` secret
 * shows its reference (never the value read from it), a resolved Secret becomes "[redacted]", and
 * credentials inside any URL string are hidden too.
 */
export function redactSecrets<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? redactUrlCredentials(v) : v)));
}

/**
 * A secret value. Validation messages are custom so the value itself is never echoed back
 * (config/validate.ts prints "got <value>" for other issue kinds).
 */
export const secret = (what: string) =>
  z.unknown().transform((v, ctx): SecretRef => {
    if (typeof v === 'string' && v !== '') return new SecretRef({ inline: new Secret(v, 'inline') });
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o.file === 'string' && o.file) return new SecretRef({ file: o.file });
      if (keys.length === 1 && typeof o.env === 'string' && o.env) return new SecretRef({ env: o.env });
    }
    ctx.addIssue({
      code: 'custom',
      message: `${v === undefined ? `missing ${what}` : 'not a secret'}: write it inline (a string), as {file: /path/to/secret} or as {env: VARIABLE_NAME}.`,
    });
    return z.NEVER;
  });
