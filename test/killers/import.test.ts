/** `oomwatch import` of user-space killers' logs (journal JSON, syslog), printed and stored in a real database. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const DIR = join(import.meta.dirname, '../fixtures/killers');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('oomwatch import: every killer', () => {
  it('stores systemd-oomd kills from a journal export with killer and reason; the unknown line raw, with a warning; a re-import stores nothing twice', async () => {
    const t = makeTempDir();
    cleanups.push(() => t.cleanup());
    const db = join(t.dir, 'oomwatch.db');
    const file = join(DIR, 'synthetic/systemd-oomd-swap-journal.json');
    const first = await runCliInProcess(['import', file, '--json', '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/1 line of a user-space OOM killer said it killed in a format oomwatch does not know: recorded raw/);
    const doc = JSON.parse(first.stdout) as {
      stored: unknown;
      incidents: { killer: string; reason: string | null; taskMemcg: string; flags: string[]; source: string }[];
    };
    expect(doc.stored).toEqual({ inserted: 2, already: 0 });
    expect(doc.incidents.map((i) => [i.killer, i.taskMemcg, i.flags])).toEqual([
      ['systemd-oomd', '/system.slice/batch.service', []],
      ['systemd-oomd', '/system.slice/batch.service', ['unparsed']],
    ]);
    expect(doc.incidents[0].reason).toBe('swap used 7516192768 of 8589930496 bytes (87.50%) > 90.00%');
    const again = await runCliInProcess(['import', file, '--json', '--db', db]);
    expect((JSON.parse(again.stdout) as { stored: unknown }).stored).toEqual({ inserted: 0, already: 2 });
    const list = await runCliInProcess(['incidents', '--since', '3650d', '--db', db]);
    expect(list.stdout).toMatch(/KILLER/);
    expect(list.stdout).toMatch(/systemd-oomd/);
  });

  it('prints the kills of a syslog file that holds only earlyoom lines', async () => {
    const r = await runCliInProcess(['import', join(DIR, 'earlyoom-1.8-syslog-iso.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/earlyoom/);
    expect(r.stdout).toMatch(/2232050 bun/);
    expect(r.stdout).toMatch(/^1 OOM kill found in /m);
  });
});
