/**
 * Redacts secrets from a command line before it is stored or shown. Any local user can read
 * /proc/PID/cmdline, but oomwatch must not copy secrets into a database, a Slack channel or an email.
 * Covered: --password=x / --password x, key=value pairs whose key names a secret, -p<secret> for
 * mysql-style clients, and user:pass@ in URLs.
 */
const SECRET_KEY = '(?:pass(?:word|wd)?|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|auth|credentials?|client[-_]?secret|session[-_]?key)';
const KV_RE = new RegExp(`^(-{0,2}[\\w.-]*${SECRET_KEY}[\\w.-]*)=(.+)$`, 'i');
const FLAG_RE = new RegExp(`^-{1,2}[\\w.-]*${SECRET_KEY}[\\w.-]*$`, 'i');
const URL_CRED_RE = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;
const MASK = '***';

export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    let a = args[i].replace(URL_CRED_RE, `$1$2:${MASK}@`);
    const kv = KV_RE.exec(a);
    if (kv) a = `${kv[1]}=${MASK}`;
    else if (/^-p.+/.test(a) && i > 0 && /(?:^|\/)(mysql\w*|mariadb\w*)$/.test(args[0])) a = `-p${MASK}`;
    out.push(a);
    if (FLAG_RE.test(args[i]) && !args[i].includes('=') && i + 1 < args.length && !args[i + 1].startsWith('-')) {
      out.push(MASK);
      i++;
    }
  }
  return out;
}

/** Joins redacted arguments with spaces, capped (a cmdline can be 128 KiB). */
export function redactCmdline(args: readonly string[], maxChars = 1024): string {
  const s = redactArgs(args).join(' ');
  return s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s;
}
