/**
 * Escaping of untrusted text (process names and command lines are chosen by any local user).
 * Each output format escapes once, at its edge. See DESIGN.md "Alert semantics".
 */

// C0/C1 controls, DEL, and the Unicode bidi controls (Trojan Source, CVE-2021-42574) and zero-width marks.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/g;
const BIDI_RE = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Replaces control and bidi characters (newlines included) with U+FFFD so text stays on one line. */
export function sanitizeTerminal(s: string): string {
  return s.replace(CONTROL_RE, '\uFFFD').replace(BIDI_RE, '\uFFFD');
}

/** Caps the length of untrusted text, marking the cut. */
export function capLength(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** Slack has no escape for its emphasis marks: untrusted text gets look-alikes that format nothing. */
const MRKDWN_MARKS: Record<string, string> = { '*': '\u2217', '~': '\u223C', '`': '\u02CB' };

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` are the only control characters
 * (https://api.slack.com/reference/surfaces/formatting#escaping); `*`, `~` and backticks, which Slack
 * cannot escape, become look-alikes (∗ ∼ ˋ) so a name cannot turn the message bold, struck or code.
 * `_` stays: names use it inside words, where it formats nothing.
 * @example escapeMrkdwn('<!channel>') // '&lt;!channel&gt;'
 */
export function escapeMrkdwn(s: string): string {
  return sanitizeTerminal(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*~`]/g, (c) => MRKDWN_MARKS[c]);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return sanitizeTerminal(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}
