/**
 * Secrets recognisable in any text, wherever they stand: inside one argument, or inside a whole shell command
 * passed as one argument (`sh -c "curl -H 'Authorization: Bearer …' …"`). Pure. redact.ts adds what needs argv
 * positions (a flag and the argument after it).
 */

export const MASK = '***';

/**
 * Names of keys and flags that hold a secret, matched anywhere inside the name, any case. Tested on a name already
 * cut out by a simple pattern (never inside a larger pattern), so a long adversarial argument costs linear time.
 */
const SECRET_NAME_RE =
  /pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|auth|credential|session[-_]?key|cookie/i;
export const isSecretName = (name: string): boolean => SECRET_NAME_RE.test(name);

/**
 * HTTP header names whose value is a credential: Authorization and Proxy-Authorization (any scheme), Cookie,
 * X-Api-Key, X-Auth-Token, and any other name holding auth, token, secret, key, password, session or cookie.
 */
const SECRET_HEADER_RE = /auth|token|secret|api-?key|apikey|access-?key|password|passwd|session|cookie/i;

/** Authorization schemes kept in front of the mask, so a reader still sees what kind of credential it was. */
const SCHEME = '(?:basic|bearer|token|digest|negotiate|ntlm|hoba|mutual|aws4-hmac-sha256|apikey|key|sso-key)';

// `(?=(x+))\1` matches x+ atomically (no backtracking into it): every pattern below runs in linear time.
/** A whole argument that is a header (curl's -H value, wget's --header=, httpie's `Authorization:Bearer x`). */
const HEADER_ARG_RE = new RegExp(`^(?=([\\w-]+))\\1(\\s*:\\s*)(${SCHEME}\\s+)?(\\S[^]*)$`, 'i');

/** A header inside a longer text (a shell command): its value ends at a quote or the end of the line. */
const HEADER_IN_TEXT_RE = new RegExp(`(^|[\\s"'=])(?=([\\w-]+))\\2(\\s*:\\s*)(${SCHEME}\\s+)?([^\\s"'][^"'\\r\\n]*)`, 'gi');

// user:password@ in a URL's authority; the user may be empty (redis://:pw@host) and the password may hold an @.
const URL_CRED_RE = /\b(?=([a-z][a-z0-9+.-]{0,31}))\1(:\/\/)([^/\s:@]{0,256}):([^/\s]{1,256})@/gi;

// key=value pairs inside an argument, such as a URL's query (?token=…&x=1), a DSN (host=db password=…) or a shell
// assignment in a command string (PGPASSWORD=… psql); names ending in _KEY in upper case (STRIPE_KEY=…): a
// lower-case sort_key=name is an ordinary option.
const INNER_KV_RE = /(^|[?&;,\s"'])(?=([\w.-]+))\2=([^&;,\s"']+)/g;
const isSecretKey = (name: string): boolean => isSecretName(name) || /^[A-Z][A-Z0-9_]*_KEY$/.test(name);

// A JSON Web Token: three base64url parts, the first starting {" (eyJ).
// Not right after a base64url character: then every start is at a run's beginning and the scan stays linear.
const JWT_RE = /(?<![\w-])eyJ[\w-]*\.[\w-]+\.[\w-]*/g;

// An AWS access key id (AKIA… long-term, ASIA… temporary; AWS IAM "unique identifiers").
const AWS_KEY_ID_RE = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g;

// An AWS secret access key: exactly 40 characters of base64 with upper case, lower case and a digit. A hex digest
// (lower case only) does not match; neither does a 40-character path (it starts with /).
const AWS_SECRET_RE =
  /(?<![\w/+=])(?=[A-Za-z0-9/+]{40}(?![\w/+=]))(?=[^\s]{0,39}[A-Z])(?=[^\s]{0,39}[a-z])(?=[^\s]{0,39}[0-9])[A-Za-z0-9+][A-Za-z0-9/+]{39}/g;

/** Redacts every secret recognisable without argv positions. */
export function redactText(s: string): string {
  return s
    .replace(URL_CRED_RE, (_m, scheme: string, sep: string, user: string) => `${scheme}${sep}${user}:${MASK}@`)
    .replace(HEADER_IN_TEXT_RE, (m, pre: string, name: string, colon: string, scheme: string | undefined) =>
      SECRET_HEADER_RE.test(name) ? `${pre}${name}${colon}${scheme ?? ''}${MASK}` : m,
    )
    .replace(INNER_KV_RE, (m, pre: string, name: string) => (isSecretKey(name) ? `${pre}${name}=${MASK}` : m))
    .replace(JWT_RE, MASK)
    .replace(AWS_KEY_ID_RE, MASK)
    .replace(AWS_SECRET_RE, MASK);
}

/** A header argument with a secret name keeps its name (and scheme) and loses its whole value; others are unchanged. */
export function redactHeaderArg(s: string): string {
  const m = HEADER_ARG_RE.exec(s);
  return m && SECRET_HEADER_RE.test(m[1]) ? `${m[1]}${m[2]}${m[3] ?? ''}${MASK}` : s;
}
