import { describe, expect, it } from 'vitest';
import { digestFromDrafts, messageFromDraft, testMessage } from '../../src/notify/message.js';
import { capMrkdwn, renderSlack, SLACK_MAX_BLOCKS, SLACK_MAX_SECTION_CHARS } from '../../src/notify/render/slack.js';
import { alertView, draft } from './factories.js';
import { T0 } from './fixed-instant.js';

const noMentions = { mentions: [], mentionAt: 'critical' as const };

/** Every mrkdwn text in a payload (fallback, sections, fields, context). */
function allTexts(p: ReturnType<typeof renderSlack>): string[] {
  const out = [p.text ?? ''];
  for (const b of (p.blocks ?? []) as { text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[]) {
    if (b.text) out.push(b.text.text);
    for (const f of b.fields ?? []) out.push(f.text);
    for (const e of b.elements ?? []) out.push(e.text);
  }
  return out;
}

const HOSTILE = '<!channel> <img src=x onerror=alert(1)> \u202eexe.txt\nline2 & <@U123> <https://evil.example|click>';

describe('renderSlack', () => {
  it('renders a firing alert as Block Kit with a fallback text and never sets link_names', () => {
    const p = renderSlack(messageFromDraft(draft(T0)), noMentions);
    expect(p.text).toBe('[FIRING] warning process-risk-high on web-1: postgres (pid 812) risk 712 ‰ &gt; 600 ‰ for 2m');
    expect(p).not.toHaveProperty('link_names');
    expect(p).toMatchObject({ unfurl_links: false, unfurl_media: false });
    const blocks = p.blocks as { type: string; fields?: { text: string }[] }[];
    expect(blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
    expect(blocks[1].fields?.map((f) => f.text)).toContain('*RSS*\n3.1 GiB');
    expect(allTexts(p).join('\n')).toContain('since 2026-11-26T06:00:00Z');
  });

  it('neutralises hostile process names everywhere: no mention, no link, no control or bidi characters', () => {
    const a = alertView(T0, {
      summary: `${HOSTILE} risk 900`,
      process: { pid: 1, startTimeTicks: 1, comm: HOSTILE, cmdline: HOSTILE, uid: 0, unit: null, cgroup: HOSTILE },
      details: [{ label: HOSTILE, value: HOSTILE }],
    });
    const texts = allTexts(renderSlack(messageFromDraft(draft(T0, { alerts: [a], host: HOSTILE })), noMentions));
    for (const t of texts) {
      expect(t).not.toMatch(/<!|<@|<https?:|<img/);
      expect(t).not.toMatch(/[\u202e\u0000-\u0009\u000b-\u001f]/);
    }
    const joined = texts.join('\n');
    expect(joined).toContain('&lt;!channel&gt;');
    expect(joined).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(joined).toContain('\uFFFDexe.txt\uFFFDline2 &amp;');
  });

  it('a name cannot format the message or become a link: emphasis marks get look-alikes, every text is verbatim but a headline with mentions', () => {
    const name = '*bold* ~gone~ `code` evil.example/login';
    const a = alertView(T0, {
      summary: `${name} risk 900`,
      process: { pid: 1, startTimeTicks: 1, comm: name, cmdline: name, uid: 0, unit: null, cgroup: '/' },
    });
    const p = renderSlack(messageFromDraft(draft(T0, { alerts: [a] })), noMentions);
    const joined = allTexts(p).join('\n');
    expect(joined).toContain('\u2217bold\u2217 \u223Cgone\u223C \u02CBcode\u02CB evil.example/login');
    expect(joined).not.toContain('*bold*');
    const objects = (
      p.blocks as { text?: { verbatim?: boolean }; fields?: { verbatim?: boolean }[]; elements?: { verbatim?: boolean }[] }[]
    )
      .flatMap((b) => [b.text, ...(b.fields ?? []), ...(b.elements ?? [])])
      .filter(Boolean);
    expect(objects.every((o) => o!.verbatim === true)).toBe(true);
    const mentioned = renderSlack(messageFromDraft(draft(T0, { alerts: [alertView(T0, { severity: 'critical' })] })), {
      mentions: ['<!here>'],
      mentionAt: 'critical',
    });
    expect((mentioned.blocks as { text?: { verbatim?: boolean } }[])[0].text?.verbatim).toBeUndefined();
    expect((mentioned.blocks as { text?: { verbatim?: boolean } }[])[1].text?.verbatim).toBe(true);
  });

  it('caps 10 kB names inside Slack limits', () => {
    const huge = 'A<'.repeat(5_000);
    const a = alertView(T0, {
      summary: huge,
      process: { pid: 1, startTimeTicks: 1, comm: huge, cmdline: huge, uid: 0, unit: huge, cgroup: huge },
      details: [{ label: huge, value: huge }],
    });
    const p = renderSlack(messageFromDraft(draft(T0, { alerts: [a] })), noMentions);
    for (const t of allTexts(p)) {
      expect(t.length).toBeLessThanOrEqual(SLACK_MAX_SECTION_CHARS);
      expect(t).not.toMatch(/&[a-z]{0,3}…/); // no entity cut in half
    }
    expect(JSON.stringify(p).length).toBeLessThan(20_000);
  });

  it('keeps a digest of 200 alerts within 50 blocks and says how many are not shown', () => {
    const drafts = Array.from({ length: 200 }, (_, i) =>
      draft(T0, { dedupKey: `k${i}`, alerts: [alertView(T0, { fingerprint: `f${i}` })] }),
    );
    const p = renderSlack(digestFromDrafts('ops', drafts), noMentions);
    const blocks = p.blocks as { text?: { text: string } }[];
    expect(blocks.length).toBe(SLACK_MAX_BLOCKS); // 1 headline + 24 alerts × 2 + 1 "more" line
    expect(blocks.at(-1)?.text?.text).toBe('…and 176 more alerts. Run `oomwatch alerts` on the host to see them all.');
    expect(p.text).toBe('oomwatch digest: 200 notifications (200 firing) on web-1');
  });

  it('mentions only what the config lists, only for firing alerts at or above mentionAt', () => {
    const opts = { mentions: ['<!subteam^S0ONCALL>', '<@U42>'], mentionAt: 'critical' as const };
    const crit = renderSlack(messageFromDraft(draft(T0, { alerts: [alertView(T0, { severity: 'critical' })] })), opts);
    expect(crit.text?.startsWith('<!subteam^S0ONCALL> <@U42> ')).toBe(true);
    const warn = renderSlack(messageFromDraft(draft(T0)), opts);
    expect(warn.text).not.toContain('<!subteam');
    const resolved = renderSlack(
      messageFromDraft(
        draft(T0, {
          alerts: [alertView(T0, { severity: 'critical', state: 'resolved', resolution: 'oom-killed', endsAtMs: T0 + 60_000 })],
        }),
      ),
      opts,
    );
    expect(resolved.text).not.toContain('<@U42>');
    expect(allTexts(resolved).join('\n')).toContain('resolved: the process was killed by the OOM killer');
  });

  it('words each resolution clearly', () => {
    const words = (resolution: 'cleared' | 'exited' | 'oom-killed') =>
      allTexts(renderSlack(messageFromDraft(draft(T0, { alerts: [alertView(T0, { state: 'resolved', resolution })] })), noMentions)).join(
        '\n',
      );
    expect(words('exited')).toContain('resolved: the process exited (no OOM kill recorded for it)');
    expect(words('cleared')).toContain('resolved: the condition cleared');
    expect(words('oom-killed')).toContain('*OOM-KILLED*');
  });

  it('renders a long report as escaped code blocks on line boundaries, within the block limit', () => {
    const text = Array.from({ length: 6000 }, (_, i) => `line ${i} <!channel> & more`).join('\n');
    const p = renderSlack(
      messageFromDraft(draft(T0, { kind: 'report', alerts: [], report: { subject: 'Daily OOM risk', text, html: '' } })),
      noMentions,
    );
    const blocks = p.blocks as { text: { text: string } }[];
    expect(blocks).toHaveLength(SLACK_MAX_BLOCKS);
    expect(blocks[1].text.text.startsWith('```line 0 &lt;!channel&gt; &amp; more\nline 1 ')).toBe(true);
    expect(blocks[1].text.text.endsWith(' more```')).toBe(true);
    for (const b of blocks) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_MAX_SECTION_CHARS);
    expect(blocks.at(-1)?.text.text).toBe('…the report is longer than a Slack message. Run `oomwatch report` on the host for all of it.');
  });

  it('renders a test message', () => {
    const p = renderSlack(testMessage('ops', 'web-1', T0), noMentions);
    expect(p.text).toBe('oomwatch test message from web-1 (channel ops)');
  });

  it('capMrkdwn never leaves half an entity', () => {
    expect(capMrkdwn('a &amp; b', 4)).toBe('a …');
    expect(capMrkdwn('abc', 4)).toBe('abc');
  });
});
