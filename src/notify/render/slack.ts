/**
 * Slack Block Kit rendering (pure). Limits (https://api.slack.com/reference/block-kit/blocks):
 * at most 50 blocks per message, 3,000 characters per section text, 10 fields of 2,000 characters.
 * Every untrusted string goes through escapeMrkdwn (`& < >` → entities, control and bidi characters
 * replaced), so a process named `<!channel>` renders as text and pings no one. `link_names` is never set:
 * the only mentions are the ones from the channel's config.
 */
import type { IncomingWebhookSendArguments } from '@slack/webhook';
import { capLength, escapeMrkdwn } from '../../util/escape.js';
import { formatIso } from '../../util/format.js';
import type { OutboundMessage } from '../message.js';
import type { AlertView, Severity } from '../../model/alert.js';
import { CAP, earlierKillsText, headlineRaw, processFacts, severityAtLeast, stateTag, stateText } from './text.js';

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_SECTION_CHARS = 3000;
const SLACK_MAX_FIELD_CHARS = 2000;
const SLACK_MAX_FIELDS = 10;
/** The fallback `text` shows in notifications; keep it short. */
const SLACK_MAX_TEXT_CHARS = 3000;

export interface SlackRenderOptions {
  /** Validated mention tokens from the config (`<@U…>`, `<!subteam^…>`, `<!here>`). */
  mentions: readonly string[];
  mentionAt: Severity;
}

/**
 * Caps already-escaped mrkdwn without cutting an entity in half.
 * @example capMrkdwn('a &amp; b', 4) // 'a …'
 */
export function capMrkdwn(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1).replace(/&[a-z]{0,4}$/, '')}…`;
}

/** Untrusted text → safe mrkdwn, capped before escaping (raw length) and after (Slack's limit). */
const md = (s: string, rawMax: number) => escapeMrkdwn(capLength(s, rawMax));

const SEVERITY_EMOJI: Record<Severity, string> = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' };

function alertBlocks(a: AlertView): object[] {
  const icon = a.state === 'firing' ? SEVERITY_EMOJI[a.severity] : ':white_check_mark:';
  const title = `${icon} *${stateTag(a)}* · ${a.severity} · \`${md(a.ruleId, CAP.label)}\` on *${md(a.host, CAP.label)}*\n${md(a.summary, CAP.summary)}`;
  const fields = [...a.details, ...processFacts(a)].slice(0, SLACK_MAX_FIELDS).map((d) => ({
    type: 'mrkdwn',
    text: capMrkdwn(`*${md(d.label, CAP.label)}*\n${md(d.value, d.label === 'cmdline' ? CAP.cmdline : CAP.value)}`, SLACK_MAX_FIELD_CHARS),
  }));
  const section: Record<string, unknown> = { type: 'section', text: { type: 'mrkdwn', text: capMrkdwn(title, SLACK_MAX_SECTION_CHARS) } };
  if (fields.length) section.fields = fields;
  const when = `${stateText(a)} · since ${formatIso(a.startsAtMs)}${a.endsAtMs ? ` · ended ${formatIso(a.endsAtMs)}` : ''}${a.incidentId !== undefined ? ` · incident #${a.incidentId}` : ''}`;
  return [section, { type: 'context', elements: [{ type: 'mrkdwn', text: capMrkdwn(escapeMrkdwn(when), SLACK_MAX_SECTION_CHARS) }] }];
}

/** Sets verbatim on every mrkdwn text object of a block (its text, fields and context elements). */
function markVerbatim(block: object): void {
  const b = block as {
    text?: { type?: string; verbatim?: boolean };
    fields?: { type?: string; verbatim?: boolean }[];
    elements?: { type?: string; verbatim?: boolean }[];
  };
  for (const t of [b.text, ...(b.fields ?? []), ...(b.elements ?? [])]) if (t?.type === 'mrkdwn') t.verbatim = true;
}

/** Renders a message as an incoming-webhook payload: Block Kit blocks plus a plain fallback text. */
export function renderSlack(msg: OutboundMessage, opts: SlackRenderOptions): IncomingWebhookSendArguments {
  const shouldMention = msg.alerts.some((a) => a.state === 'firing' && severityAtLeast(a.severity, opts.mentionAt));
  const mention = shouldMention && opts.mentions.length ? `${opts.mentions.join(' ')} ` : '';
  const headline = md(headlineRaw(msg), CAP.subject + CAP.summary);
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: capMrkdwn(`${mention}*${headline}*`, SLACK_MAX_SECTION_CHARS) } },
  ];

  if (msg.kind === 'test') {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'If you can read this, the channel works. No alert is firing because of this message.' },
    });
  } else if (msg.kind === 'report') {
    // Report text is plain text built by the report module from untrusted names: escape it here too.
    const chunk = SLACK_MAX_SECTION_CHARS - 10; // room for the ``` fence
    const chunks: string[] = [];
    let buf = '';
    for (const line of (msg.report?.text ?? '').split('\n').map((l) => capMrkdwn(escapeMrkdwn(l), chunk))) {
      if (buf && buf.length + 1 + line.length > chunk) {
        chunks.push(buf);
        buf = '';
      }
      buf = buf ? `${buf}\n${line}` : line;
    }
    if (buf) chunks.push(buf);
    const room = SLACK_MAX_BLOCKS - blocks.length - 1;
    for (const c of chunks.slice(0, room)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${c}\`\`\`` } });
    if (chunks.length > room) {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: '…the report is longer than a Slack message. Run `oomwatch report` on the host for all of it.' },
      });
    }
  } else {
    // Two blocks per alert; keep one block for the "and N more" line and one for the earlier kills.
    const earlier = earlierKillsText(msg);
    const room = Math.floor((SLACK_MAX_BLOCKS - blocks.length - 1 - (earlier ? 1 : 0)) / 2);
    const shown = msg.alerts.slice(0, room);
    for (const a of shown) blocks.push(...alertBlocks(a));
    const hidden = msg.alerts.length - shown.length;
    if (hidden > 0) {
      blocks.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `…and ${hidden} more alert${hidden > 1 ? 's' : ''}. Run \`oomwatch alerts\` on the host to see them all.`,
        },
      });
    }
    // Trusted text (counts and a command): code formatting for the command is safe.
    if (earlier)
      blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `…${escapeMrkdwn(earlier).replace(/oomwatch incidents --since \S+/, (c) => `\`${c}\``)}.` }],
      });
  }
  // verbatim: Slack turns nothing into a link by itself (a process named "evil.example/login" stays text).
  // The headline keeps Slack's parsing when it carries the configured mentions.
  for (const [i, b] of blocks.entries()) if (!(i === 0 && mention)) markVerbatim(b);
  // Slack's fallback text may carry mrkdwn too; the same escaping applies.
  const text = capMrkdwn(`${mention}${headline}`, SLACK_MAX_TEXT_CHARS);
  return { text, blocks: blocks as IncomingWebhookSendArguments['blocks'], unfurl_links: false, unfurl_media: false };
}
