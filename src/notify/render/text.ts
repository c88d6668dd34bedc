/**
 * Wording shared by every format, and the plain-text rendering (console, email text part).
 * Untrusted strings are made safe for a terminal here (control, newline and bidi characters replaced,
 * lengths capped); other formats call `describe*` on raw strings and escape for their own syntax.
 */
import type { AlertView, Resolution, Severity } from '../../model/alert.js';
import { isKill, POSSIBLY_SENT_TWICE, type OutboundMessage } from '../message.js';
import { formatDurationMs } from '../../util/duration.js';
import { capLength, sanitizeTerminal } from '../../util/escape.js';
import { formatIso } from '../../util/format.js';

/** Length caps for untrusted text (a process may name itself with 10 kB). */
export const CAP = { summary: 300, label: 60, value: 300, cmdline: 500, subject: 200 } as const;

const RESOLUTION_TEXT: Record<Resolution, string> = {
  cleared: 'resolved: the condition cleared',
  'oom-killed': 'resolved: the process was killed by the OOM killer',
  exited: 'resolved: the process exited (no OOM kill recorded for it)',
};

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

/** "FIRING" or the resolution in words. */
export function stateText(a: AlertView): string {
  if (a.state === 'firing') return 'FIRING';
  return RESOLUTION_TEXT[a.resolution ?? 'cleared'];
}

/** A short status tag for subjects and headlines: FIRING, RESOLVED, OOM-KILLED, EXITED. */
export function stateTag(a: AlertView): string {
  if (a.state === 'firing') return 'FIRING';
  return a.resolution === 'oom-killed' ? 'OOM-KILLED' : a.resolution === 'exited' ? 'EXITED' : 'RESOLVED';
}

/** Counts for a headline: "3 firing, 1 resolved". */
export function countsText(alerts: readonly AlertView[]): string {
  const firing = alerts.filter((a) => a.state === 'firing').length;
  const parts = [];
  if (firing) parts.push(`${firing} firing`);
  if (alerts.length - firing) parts.push(`${alerts.length - firing} resolved`);
  return parts.join(', ') || 'no alerts';
}

/** Victims named in a headline before "and N more". */
const HEADLINE_KILLS = 3;

/** Which kill an alert tells: `hog (pid 4242) in /box` (raw, untrusted). */
export function killName(a: AlertView): string {
  const who = a.process ? `${a.process.comm} (pid ${a.process.pid})` : 'a kill with no kernel report';
  const where = a.cgroup && a.cgroup !== '/' ? `in ${a.cgroup}` : 'host-wide';
  return `${who} ${where}`;
}

/** ": 3 OOM kills: a (pid 1) in /x, b (pid 2) in /y, c (pid 3) in /z and 5 more", or "" without kills. */
function killsSuffix(alerts: readonly AlertView[]): string {
  const kills = alerts.filter((a) => a.state === 'firing' && isKill(a));
  if (kills.length === 0) return '';
  const more = kills.length - HEADLINE_KILLS;
  const names = kills.slice(0, HEADLINE_KILLS).map(killName).join(', ');
  return `: ${kills.length} OOM kill${kills.length > 1 ? 's' : ''}: ${names}${more > 0 ? ` and ${more} more` : ''}`;
}

/** "10 minutes", "1 minute", else compact ("2h", "90s"). */
function spanText(ms: number): string {
  const minutes = ms / 60_000;
  if (Number.isInteger(minutes) && minutes >= 1 && minutes < 120) return `${minutes} minute${minutes > 1 ? 's' : ''}`;
  return formatDurationMs(ms);
}

/**
 * The line that stands for kills told by earlier messages, or null. Kills are events: each message
 * tells the new ones, and earlier ones are only counted.
 * @example earlierKillsText(msg) // 'and 14 earlier OOM kills in the last 10 minutes, already sent: oomwatch incidents --since 10m lists them'
 */
export function earlierKillsText(msg: OutboundMessage): string | null {
  const e = msg.earlierKills;
  if (!e?.count) return null;
  return `and ${e.count} earlier OOM kill${e.count > 1 ? 's' : ''} in the last ${spanText(e.withinMs)}, already sent: oomwatch incidents --since ${formatDurationMs(e.withinMs)} lists them`;
}

/** Why a message carries the POSSIBLY_SENT_TWICE mark, for bodies that have room to say it. */
export const POSSIBLY_SENT_TWICE_TEXT =
  'An earlier attempt to send this was cut off when the agent stopped; the server may have delivered it already.';

/**
 * The headline of a message, from trusted parts only plus the (raw, untrusted) host/summary/victims.
 * A message that tells OOM kills names each new victim (up to three, then a count).
 */
export function headlineRaw(msg: OutboundMessage): string {
  // First, so no cap cuts it: the reader should know before anything else that this may be a repeat.
  return msg.possiblySentTwice ? `${POSSIBLY_SENT_TWICE} ${headlineOf(msg)}` : headlineOf(msg);
}

function headlineOf(msg: OutboundMessage): string {
  switch (msg.kind) {
    case 'test':
      return `oomwatch test message from ${msg.host} (channel ${msg.channel})`;
    case 'report':
      return msg.report?.subject ?? `oomwatch report for ${msg.host}`;
    case 'digest':
      return `oomwatch digest: ${msg.notificationCount} notifications (${countsText(msg.alerts)}) on ${msg.host}${killsSuffix(msg.alerts)}`;
    case 'alerts': {
      if (msg.alerts.length === 1) {
        const a = msg.alerts[0];
        return `[${stateTag(a)}] ${a.severity} ${a.ruleId} on ${a.host}: ${a.summary}`;
      }
      const worst = [...msg.alerts].sort((x, y) => SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity])[0];
      return `[${countsText(msg.alerts)}] ${worst?.severity ?? 'info'} ${worst?.ruleId ?? ''} on ${msg.host}${killsSuffix(msg.alerts)}`;
    }
  }
}

/** Process facts as label/value pairs (raw, untrusted values). */
export function processFacts(a: AlertView): { label: string; value: string }[] {
  const p = a.process;
  if (!p) return a.cgroup ? [{ label: 'cgroup', value: a.cgroup }] : [];
  const out = [
    { label: 'process', value: `${p.comm} (pid ${p.pid})` },
    { label: 'cmdline', value: p.cmdline },
  ];
  if (p.unit) out.push({ label: 'unit', value: p.unit });
  out.push({ label: 'cgroup', value: p.cgroup });
  if (p.uid !== null) out.push({ label: 'uid', value: String(p.uid) });
  return out;
}

/** Safe for a terminal or a text/plain part: one line, no control or bidi characters, capped. */
export function plain(s: string, max: number): string {
  return sanitizeTerminal(capLength(s, max));
}

/** The plain-text body: used by the console channel and as the email text part. */
export function renderText(msg: OutboundMessage, opts: { maxAlerts?: number } = {}): string {
  const lines: string[] = [plain(headlineRaw(msg), CAP.subject + CAP.summary)];
  if (msg.possiblySentTwice) lines.push(POSSIBLY_SENT_TWICE_TEXT);
  if (msg.kind === 'test') {
    lines.push('', 'If you can read this, the channel works. No alert is firing because of this message.');
    return lines.join('\n');
  }
  if (msg.kind === 'report') return `${lines[0]}\n\n${msg.report?.text ?? ''}`;
  const max = opts.maxAlerts ?? 100;
  for (const a of msg.alerts.slice(0, max)) {
    lines.push('', `${stateTag(a)} [${a.severity}] ${plain(a.summary, CAP.summary)}`);
    lines.push(
      `  ${stateText(a)}; rule ${plain(a.ruleId, CAP.label)} on ${plain(a.host, CAP.label)}; since ${formatIso(a.startsAtMs)}${a.endsAtMs ? `, ended ${formatIso(a.endsAtMs)}` : ''}`,
    );
    for (const d of [...a.details, ...processFacts(a)])
      lines.push(`  ${plain(d.label, CAP.label)}: ${plain(d.value, d.label === 'cmdline' ? CAP.cmdline : CAP.value)}`);
    if (a.incidentId !== undefined) lines.push(`  incident: #${a.incidentId} (oomwatch report --incident ${a.incidentId})`);
  }
  if (msg.alerts.length > max) lines.push('', `…and ${msg.alerts.length - max} more alerts (oomwatch alerts lists them all).`);
  const earlier = earlierKillsText(msg);
  if (earlier) lines.push('', `…${earlier}.`);
  return lines.join('\n');
}
