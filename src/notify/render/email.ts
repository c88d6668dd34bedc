/**
 * Email rendering (pure): a subject line, a table-based HTML part (inline styles: mail clients drop
 * <style> and most CSS) and a plain-text part. Every untrusted string goes through escapeHtml, so
 * `<img src=x onerror=…>` in a process name is text. A report's html is passed through: the report
 * module builds and escapes it.
 */
import { capLength, escapeHtml, sanitizeTerminal } from '../../util/escape.js';
import { formatIso } from '../../util/format.js';
import type { OutboundMessage } from '../message.js';
import type { AlertView, Severity } from '../../model/alert.js';
import { CAP, earlierKillsText, headlineRaw, processFacts, renderText, stateText, stateTag } from './text.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; cid: string; contentType: string; content: Buffer }[];
}

const COLOR: Record<Severity | 'resolved', string> = { info: '#2f6fb3', warning: '#b7791f', critical: '#c53030', resolved: '#2f855a' };

const h = (s: string, max: number) => escapeHtml(capLength(s, max));

/** One line, no control characters (a header must not carry a newline), capped. */
export function renderSubject(prefix: string, msg: OutboundMessage): string {
  return sanitizeTerminal(capLength(`${prefix ? `${prefix} ` : ''}${headlineRaw(msg)}`, CAP.subject));
}

function alertTable(a: AlertView): string {
  const color = a.state === 'firing' ? COLOR[a.severity] : COLOR.resolved;
  const rows = [...a.details, ...processFacts(a)]
    .map(
      (d) =>
        `<tr><td style="padding:2px 12px 2px 0;color:#555;vertical-align:top;white-space:nowrap">${h(d.label, CAP.label)}</td>` +
        `<td style="padding:2px 0;font-family:monospace;word-break:break-all">${h(d.value, d.label === 'cmdline' ? CAP.cmdline : CAP.value)}</td></tr>`,
    )
    .join('');
  const when = `${stateText(a)} · since ${formatIso(a.startsAtMs)}${a.endsAtMs ? ` · ended ${formatIso(a.endsAtMs)}` : ''}${a.incidentId !== undefined ? ` · incident #${a.incidentId}` : ''}`;
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px 0;border-left:4px solid ${color}">` +
    `<tr><td style="padding:8px 12px"><div style="font-weight:bold;color:${color}">${escapeHtml(stateTag(a))} · ${escapeHtml(a.severity)} · ${h(a.ruleId, CAP.label)} on ${h(a.host, CAP.label)}</div>` +
    `<div style="margin:4px 0 8px 0;font-size:15px">${h(a.summary, CAP.summary)}</div>` +
    `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:13px">${rows}</table>` +
    `<div style="margin-top:6px;color:#777;font-size:12px">${escapeHtml(when)}</div></td></tr></table>`
  );
}

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;color:#222">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:720px"><tr><td>` +
    `<h2 style="font-size:17px;margin:0 0 16px 0">${title}</h2>${body}` +
    `<p style="color:#999;font-size:11px;margin-top:24px">Sent by oomwatch. Run <code>oomwatch alerts</code> on the host for the current state.</p>` +
    `</td></tr></table></body></html>`
  );
}

/** Renders a message as an email. `maxAlerts` bounds a digest's size; the rest is counted. */
export function renderEmail(msg: OutboundMessage, opts: { subjectPrefix: string; maxAlerts?: number }): RenderedEmail {
  const subject = renderSubject(opts.subjectPrefix, msg);
  if (msg.kind === 'report' && msg.report) {
    const r = msg.report;
    return {
      subject: sanitizeTerminal(capLength(`${opts.subjectPrefix ? `${opts.subjectPrefix} ` : ''}${r.subject}`, CAP.subject)),
      text: r.text,
      html: r.html,
      attachments: (r.attachments ?? []).map((a) => ({
        filename: a.filename,
        cid: a.cid,
        contentType: a.contentType,
        content: Buffer.from(a.contentBase64, 'base64'),
      })),
    };
  }
  const title = h(headlineRaw(msg), CAP.subject + CAP.summary);
  const max = opts.maxAlerts ?? 100;
  let body: string;
  if (msg.kind === 'test') {
    body = '<p>If you can read this, the channel works. No alert is firing because of this message.</p>';
  } else {
    body = msg.alerts.slice(0, max).map(alertTable).join('');
    if (msg.alerts.length > max)
      body += `<p>…and ${msg.alerts.length - max} more alerts. Run <code>oomwatch alerts</code> on the host to see them all.</p>`;
    const earlier = earlierKillsText(msg);
    if (earlier) body += `<p style="color:#555">…${escapeHtml(earlier)}.</p>`;
  }
  return { subject, text: renderText(msg, { maxAlerts: max }), html: page(title, body), attachments: [] };
}
