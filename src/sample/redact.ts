/**
 * Redacts secrets from a command line before it is stored or shown. Any local user can read
 * /proc/PID/cmdline, but oomwatch must not copy secrets into a database, a Slack channel or an email.
 * Covered: --password=x / --password x, key=value pairs whose key names a secret, -p<secret> for
 * mysql-style clients, user:pass@ in URLs, and secret keys inside an argument (a URL query, a DSN).
 */
const SECRET_KEY = '(?:pass(?:word|wd)?|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|auth|credentials?|client[-_]?secret|session[-_]?key)';
const KV_RE = new RegExp(`^(-{0,2}[\\w.-]*${SECRET_KEY}[\\w.-]*)=(.+)$`, 'i');
const FLAG_RE = new RegExp(`^-{1,2}[\\w.-]*${SECRET_KEY}[\\w.-]*$`, 'i');
// user:password@ in a URL's authority; the user may be empty (redis://:pw@host) and the password may hold an @.
const URL_CRED_RE = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^/\s]+)@/gi;
// key=value pairs inside an argument, such as a URL's query (?token=…&x=1) or a DSN (host=db password=…).
const INNER_KV_RE = new RegExp(`([?&;,\\s])([\\w.-]*${SECRET_KEY}[\\w.-]*)=([^&;,\\s]+)`, 'gi');
const MASK = '***';

export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    let a = args[i].replace(URL_CRED_RE, `$1$2:${MASK}@`).replace(INNER_KV_RE, `$1$2=${MASK}`);
    const kv = KV_RE.exec(a);
    if (kv) a = `${kv[1]}=${MASK}`;
    else if (/^-p.+/.test(a) && i > 0 && /(?:^|\/)(mysql\w*|mariadb\w*)$/.test(args[0])) a = `-p${MASK}`;
    out.push(a);
    // The flag's value is the next argument unless that is another option (--x, or a one-letter -x); a
    // secret may itself begin with "-".
    if (FLAG_RE.test(args[i]) && !args[i].includes('=') && i + 1 < args.length && !/^(--|-[a-zA-Z]$)/.test(args[i + 1])) {
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
