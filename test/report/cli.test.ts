/** `oomwatch report` in-process (main + a fake CliIo) against a fixture store file. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildLeakStore } from '../fixtures/report/build-store.js';

const cli = async (args: string[]) => {
  const r = await runCliInProcess(args, { OOMWATCH_CONFIG: '' });
  return { code: r.code, out: r.stdout, err: r.stderr };
};

const tmp = makeTempDir('oomwatch-report-cli-');
const dbPath = join(tmp.dir, 'oomwatch.db');
let ids: { incidentId: number; importedId: number };
beforeAll(() => {
  const s = buildLeakStore(dbPath);
  ids = { incidentId: s.incidentId, importedId: s.importedId };
  s.db.close();
});
afterAll(() => tmp.cleanup());

describe('oomwatch report', () => {
  it('--last --format json is the stable model', async () => {
    const r = await cli(['report', '--last', '--format', 'json', '--db', dbPath]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const model = JSON.parse(r.out);
    // --last is the newest by kill time: the local kill (03:00) is newer than the imported one.
    expect(model).toMatchObject({
      schema: 'oomwatch.report.incident/v1',
      incident: { id: ids.incidentId, victim: { comm: 'app-server' } },
      culprit: { comm: 'leaky-worker' },
    });
  });

  it('--incident ID --format html --out FILE writes one self-contained page', async () => {
    const out = join(tmp.dir, 'r.html');
    const r = await cli(['report', '--incident', String(ids.incidentId), '--format', 'html', '--out', out, '--db', dbPath]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`oomwatch: report written to ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/<script|src="http|href="http/);
  });

  it('--at an instant reports the window before it, without a kill', async () => {
    const r = await cli(['report', '--at', '2026-11-25T02:50:00Z', '--window', '20m', '--db', dbPath, '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^# Memory on web-1 at 2026-11-25 02:50:00 UTC/);
    expect(r.out).toContain('## Ranking at 02:50:00 (last sample), host domain');
  });

  it('report daily prints the daily report', async () => {
    const r = await cli(['report', 'daily', '--since', '5200w', '--db', dbPath]); // the fixture's kills are in Nov 2026: a period that holds them whatever today is;
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^oomwatch daily report for web-1\n/);
    // this host's kill only: the one imported from db-7's log is not web-1's
    expect(r.out).toContain('1 OOM kill;');
    expect(r.out).not.toContain('batch-job');
  });

  it('report daily --format email-html / email-text prints the parts of the scheduled email', async () => {
    const html = await cli(['report', 'daily', '--since', '5200w', '--format', 'email-html', '--db', dbPath]);
    expect(html).toMatchObject({ code: 0, err: '' });
    expect(html.out.startsWith('<!DOCTYPE html>')).toBe(true);
    // The email-safe variant: table charts, no SVG, no style sheet, no script.
    expect(html.out).toContain('class="bars"');
    expect(html.out).not.toMatch(/<svg|<style|<script/);
    expect(html.out).toContain('1 OOM kill;');
    const text = await cli(['report', 'daily', '--since', '5200w', '--format', 'email-text', '--db', dbPath]);
    expect(text).toMatchObject({ code: 0, err: '' });
    expect(text.out).toMatch(/^oomwatch daily report for web-1\n/);
    const wrongPlace = await cli(['report', '--last', '--format', 'email-html', '--db', dbPath]);
    expect(wrongPlace.err).toBe(
      'oomwatch: --format: expected one of text, markdown, json, html, got "email-html" (email-html and email-text are for oomwatch report daily).',
    );
  });

  it('refuses bad input with the fix', async () => {
    expect(await cli(['report', '--db', dbPath])).toMatchObject({
      code: 64,
      err: 'oomwatch: Give exactly one of --incident ID, --last or --at TIME (e.g. oomwatch report --last).',
    });
    expect(await cli(['report', '--last', '--format', 'pdf', '--db', dbPath])).toMatchObject({
      code: 64,
      err: 'oomwatch: --format: expected one of text, markdown, json, html, got "pdf".',
    });
    expect(await cli(['report', '--last', '--window', 'long', '--db', dbPath])).toMatchObject({
      err: 'oomwatch: --window: expected a duration such as 30m, 2h or 1d, got "long".',
    });
    expect(await cli(['report', '--at', 'yesterday', '--db', dbPath])).toMatchObject({
      err: expect.stringContaining('--at: expected an ISO time'),
    });
    const missing = await cli(['report', '--incident', '99', '--db', dbPath]);
    expect(missing.err).toBe(`oomwatch: No incident 99 in ${dbPath}. List them with oomwatch incidents --since 30d.`);
    const empty = join(tmp.dir, 'nothing.db');
    expect((await cli(['report', '--last', '--db', empty])).err).toBe(
      `oomwatch: No database at ${empty}. Run the agent (oomwatch run) first, or pass --db.`,
    );
  });

  it('a bad report config names the key and the fix', async () => {
    const cfg = join(tmp.dir, 'bad.yaml');
    writeFileSync(cfg, 'report:\n  daily:\n    cron: "0 25 * * *"\n    timeZone: Mars/Olympus\n    channels: [nowhere]\n');
    const r = await cli(['report', 'daily', '--config', cfg, '--db', dbPath]);
    expect(r.code).toBe(78);
    expect(r.err).toContain('report.daily.cron: "0 25 * * *" is not a valid cron expression (hour: 25 is a invalid expression for hour).');
    expect(r.err).toContain('report.daily.timeZone: "Mars/Olympus" is not an IANA time zone.');
    expect(r.err).toContain('report.daily.channels.0: no channel named "nowhere" under channels:');
  });
});
