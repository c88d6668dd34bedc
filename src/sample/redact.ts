import { MASK, isSecretName, redactHeaderArg, redactText } from './redact-text.js';

/**
 * Redacts secrets from a command line before it is stored or shown. Any local user can read /proc/PID/cmdline, but
 * oomwatch must not copy secrets into a database, a Slack channel or an email. Pure. docs/sampling.md lists the shapes:
 * - anywhere (redact-text.ts): HTTP credential headers, user:pass@ in URLs, key=value pairs whose key names a secret,
 *   `*_KEY=` assignments, JSON Web Tokens, AWS access key ids and secret keys;
 * - by position: the value after --password/--token/… (`--password x`), after -H/--header when it is a credential
 *   header, after -u/--user when it is user:password, and the password flags of the programs in PASSWORD_FLAGS.
 * An argument holding a whole shell command (`sh -c "mysql -pX db"`) is also redacted word by word.
 */

/** `--password`, `--api-key`, `-token`: the flag's value is the next argument. */
const isSecretFlag = (w: string): boolean => /^-{1,2}[\w.-]+$/.test(w) && isSecretName(w);
/** `--password=x`, `token=x`, `PGPASSWORD=x` as a whole argument: the name before the first "=". */
function secretAssignment(w: string): string | null {
  const eq = w.indexOf('=');
  if (eq <= 0 || eq === w.length - 1) return null;
  const name = w.slice(0, eq);
  return /^-{0,2}[\w.-]+$/.test(name) && (isSecretName(name) || /^[A-Z][A-Z0-9_]*_KEY$/.test(name)) ? name : null;
}
/** curl's -H/--header/--proxy-header, wget's --header: the value is one header. */
const HEADER_FLAGS = new Set(['-H', '--header', '--proxy-header']);
/** curl's -u/--user and -U/--proxy-user, and the like: the value may be user:password. */
const USER_FLAGS = new Set(['-u', '--user', '-U', '--proxy-user']);

/**
 * Short flags that take a password, by program. Only these programs: elsewhere -p is a port (ssh, psql, docker),
 * a pid (strace, perf) or "parents" (mkdir). `separate`: the password may also be the next argument. For mysql-like
 * clients `-p X` (with a space) means "prompt, and use database X"; X is masked anyway, since whoever wrote it most
 * likely meant the password. 7z's `-p` alone prompts, so only its joined form is masked.
 */
const PASSWORD_FLAGS: readonly { program: RegExp; flag: string; separate: boolean }[] = [
  { program: /^(mysql\w*|mariadb\w*)$/, flag: '-p', separate: true },
  { program: /^(mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport|mongostat|mongotop|mongofiles)$/, flag: '-p', separate: true },
  { program: /^sshpass$/, flag: '-p', separate: true },
  { program: /^(redis-cli|valkey-cli|keydb-cli)$/, flag: '-a', separate: true },
  { program: /^(zip|unzip)$/, flag: '-P', separate: true },
  { program: /^(7z|7za|7zr)$/, flag: '-p', separate: false },
];

/**
 * Which program the following flags belong to: the first word, a word naming a program of PASSWORD_FLAGS, or one
 * of these common programs whose -p is not a password (so `sshpass -p X ssh -p 2222 host` keeps the port). A shell
 * separator starts a new command.
 */
const OTHER_PROGRAMS =
  /^(ssh|scp|sftp|rsync|psql|pg_dump|pg_dumpall|pg_restore|pg_basebackup|docker|podman|kubectl|nc|ncat|socat|strace|perf|mkdir|curl|wget|env|sudo|timeout|nice|nohup)$/;
const SHELL_SEPARATORS = new Set(['|', '||', '&&', ';', '&']);

/** At most this many characters of one argument are redacted and kept (the stored line is capped far below). */
const ARG_MAX_CHARS = 8192;

const basename = (s: string): string => s.slice(s.lastIndexOf('/') + 1);

/** user:password → user:***. A numeric uid:gid (docker -u 1000:1000) is left as it is. */
function maskUserPassword(v: string): string {
  const colon = v.indexOf(':');
  if (colon < 0 || /^\d+:\d+$/.test(v)) return v;
  return `${v.slice(0, colon)}:${MASK}`;
}

/**
 * Splits the quotes of a shell word off: `'-pX'` → ["'", "-pX", "'"], `'Authorization:` → ["'", "Authorization:", ""].
 * A closing quote counts only when it ends a quoted word or is unpaired inside it (`response="x"` keeps its quotes).
 */
function unquote(w: string): [string, string, string] {
  const open = /^["']/.test(w) ? w[0] : '';
  const inner = w.slice(open.length);
  const last = inner.at(-1);
  const close =
    last !== undefined && (last === open || (!open && (last === '"' || last === "'") && inner.split(last).length % 2 === 0)) ? last : '';
  return [open, close ? inner.slice(0, -1) : inner, close];
}

/** Redacts argv, argument by argument; a masked separate value keeps its own slot. */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let program = '';
  let maskNext: ((v: string) => string) | null = null;
  for (let i = 0; i < args.length; i++) {
    const raw = args[i];
    const [open, word, close] = unquote(raw);
    const quoted = (s: string): string => `${open}${s}${close}`;
    if (maskNext) {
      const fn = maskNext;
      maskNext = null;
      out.push(quoted(fn(word)));
      continue;
    }
    const passwordFlags = PASSWORD_FLAGS.filter((p) => p.program.test(program));
    // An argument with spaces after -c is a shell command: word by word. Elsewhere it is one value (a header, a
    // password with spaces) unless nothing below recognises it.
    const isShellCommand = /\s/.test(raw) && i > 0 && args[i - 1] === '-c';
    const assigned = isShellCommand ? null : secretAssignment(word);
    let a = /\s/.test(raw) ? redactWords(raw) : redactText(raw);
    if (HEADER_FLAGS.has(word)) maskNext = redactHeaderArg;
    else if (/^--(proxy-)?header=/.test(word))
      a = quoted(`${word.slice(0, word.indexOf('=') + 1)}${redactHeaderArg(word.slice(word.indexOf('=') + 1))}`);
    else if (/^-H[^-]/.test(word)) a = quoted(`-H${redactHeaderArg(word.slice(2))}`);
    else if (redactHeaderArg(word) !== word) a = quoted(redactHeaderArg(word));
    else if (USER_FLAGS.has(word)) maskNext = maskUserPassword;
    else if (/^--(proxy-)?user=/.test(word))
      a = quoted(`${word.slice(0, word.indexOf('=') + 1)}${maskUserPassword(word.slice(word.indexOf('=') + 1))}`);
    else if (/^-[uU][^-]/.test(word)) a = quoted(`${word.slice(0, 2)}${maskUserPassword(word.slice(2))}`);
    else if (passwordFlags.some((p) => p.separate && p.flag === word)) maskNext = (v) => (v.startsWith('-') ? v : MASK);
    else if (passwordFlags.some((p) => word.startsWith(p.flag) && word.length > p.flag.length)) a = quoted(`${word.slice(0, 2)}${MASK}`);
    else if (assigned) a = quoted(`${assigned}=${MASK}`);
    else if (isSecretFlag(word)) maskNext = () => MASK;
    // A masked separate value is the next argument unless that is another option (--x, or a one-letter -x); a
    // secret may itself begin with "-".
    if (maskNext && (i + 1 >= args.length || /^(--|-[a-zA-Z]$)/.test(unquote(args[i + 1])[1]))) maskNext = null;
    out.push(a);
    const name = basename(word);
    if (SHELL_SEPARATORS.has(word)) program = '';
    else if (
      !word.startsWith('-') &&
      !word.includes('=') &&
      (program === '' || PASSWORD_FLAGS.some((p) => p.program.test(name)) || OTHER_PROGRAMS.test(name))
    )
      program = name;
  }
  return out;
}

/** A whole shell command in one argument: text patterns, then the argv rules word by word (spacing kept). */
function redactWords(s: string): string {
  const text = redactText(s);
  const parts = text.split(/(\s+)/);
  const words = parts.filter((_, i) => i % 2 === 0);
  const redacted = redactArgs(words);
  return parts.map((p, i) => (i % 2 === 0 ? redacted[i / 2] : p)).join('');
}

/**
 * Joins redacted arguments with spaces, capped (a cmdline can be 128 KiB). Each argument is redacted whole up to
 * ARG_MAX_CHARS; past that its last, cut-off word is dropped, so a secret cut in half is never kept. Only the
 * arguments that can reach the kept length are looked at: each adds at least two characters.
 */
export function redactCmdline(args: readonly string[], maxChars = 1024): string {
  const seen = args.slice(0, Math.ceil(maxChars / 2) + 1).map((a) => (a.length > ARG_MAX_CHARS ? a.slice(0, ARG_MAX_CHARS) : a));
  const redacted = redactArgs(seen).map((a, i) => (args[i].length > ARG_MAX_CHARS ? a.replace(/[^\s=:&;,'"]*$/, '…') : a));
  const s = redacted.join(' ');
  return s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s;
}
