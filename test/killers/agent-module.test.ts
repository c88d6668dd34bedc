/**
 * The killers module against a real child process (a stand-in journalctl that prints a journal export and waits, as
 * `journalctl --follow` does) and a real syslog file that grows and is rotated.
 */
import { appendFileSync, chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import type { IncidentView } from '../../src/model/incident.js';
import { createKillersModule } from '../../src/killers/agent-module.js';
import { silentLogger } from '../../src/log.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { openDatabase } from '../../src/store/db.js';
import { createStore } from '../../src/store/store.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { createKillerCursorRepo } from '../../src/store/killer-cursor-repo.js';
import { BOOT } from '../helpers/snapshots.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/killers');
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function context(killers: Record<string, unknown>) {
  const t = makeTempDir();
  const res = validateConfig({ killers });
  if (!res.ok) throw new Error(res.errors.join('; '));
  const path = join(t.dir, 'oomwatch.db');
  const db = openDatabase(path);
  cleanups.push(
    () => t.cleanup(),
    () => void db.close(),
  );
  const ctx = {
    config: res.config,
    store: createStore(db, path),
    log: silentLogger(),
    clock: systemClock,
    facts: { bootId: BOOT, hostname: 'h', kernelRelease: '6.8.0', pageSizeBytes: 4096 },
    procfs: new ProcFs('/proc'),
    selfProc: new ProcFs('/proc'),
  };
  return { dir: t.dir, db, ctx };
}

/** A journalctl stand-in: records its arguments, prints the export, then waits like --follow. */
function fakeJournalctl(dir: string, exportFile: string): { path: string; args: () => string[][] } {
  const path = join(dir, 'journalctl');
  const argsFile = join(dir, 'args');
  writeFileSync(argsFile, '');
  writeFileSync(path, `#!/bin/sh\necho "$@" >> '${argsFile}'\ncat '${exportFile}'\nexec sleep 600\n`);
  chmodSync(path, 0o755);
  return {
    path,
    args: () =>
      readFileSync(argsFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')),
  };
}

describe('createKillersModule', () => {
  it('journal: stores each kill with its killer as it is read and tells it; a restart resumes after the saved cursor', async () => {
    const { dir, db, ctx } = context({ source: 'journal' });
    const j = fakeJournalctl(dir, join(FIXTURES, 'synthetic/systemd-oomd-swap-journal.json'));
    ctx.config.killers.journalctl = j.path;
    const seen: IncidentView[] = [];
    const m1 = createKillersModule(ctx, { onIncident: (i) => seen.push(i) });
    m1.start!();
    cleanups.push(() => m1.stop!());
    await until(() => seen.length === 2);
    expect(seen.map((i) => [i.source, i.killer, i.flags])).toEqual([
      ['journal', 'systemd-oomd', []],
      ['journal', 'systemd-oomd', ['unparsed']],
    ]);
    expect(seen[0]).toMatchObject({
      hostname: 'build-7',
      bootId: '8d2f6a0c1b7e4e3f9a51c0d2e4b6a8c1',
      taskMemcg: '/system.slice/batch.service',
    });
    expect(j.args()[0]).toEqual(
      expect.arrayContaining([
        '--follow',
        '--output=json',
        '--boot',
        '--identifier=systemd-oomd',
        '--identifier=earlyoom',
        '--identifier=kubelet',
      ]),
    );
    expect(createKillerCursorRepo(db).get('journal')).toBe('s=4b1c;i=2e20;b=8d2f;m=12b;t=5f2;x=a');
    await m1.stop!();
    const savedAt = () =>
      (db.prepare("SELECT updated_ms FROM killer_cursor WHERE source = 'journal'").get() as { updated_ms: number }).updated_ms;
    const before = savedAt();
    const m2 = createKillersModule(ctx, { onIncident: (i) => seen.push(i) });
    m2.start!();
    cleanups.push(() => m2.stop!());
    await until(() => j.args().length === 2);
    expect(j.args()[1]).toContain('--after-cursor=s=4b1c;i=2e20;b=8d2f;m=12b;t=5f2;x=a');
    // The stand-in prints the same entries again (a real journalctl would not): read, and nothing stored twice.
    await until(() => savedAt() > before);
    expect(createIncidentsRepo(db).list().length).toBe(2);
    expect(seen).toHaveLength(2);
  });

  it('syslog: reads what is appended from where it stopped, and a rotated file from its start', async () => {
    const { dir, db, ctx } = context({ source: 'syslog', syslogPath: '' });
    const path = join(dir, 'syslog');
    ctx.config.killers.syslogPath = path;
    writeFileSync(path, 'Dec  7 01:00:00 h earlyoom[9]: sending SIGTERM to process 1 uid 0 "old": badness 1, VmRSS 1 MiB\n');
    const seen: IncidentView[] = [];
    const m1 = createKillersModule(ctx, { onIncident: (i) => seen.push(i) });
    m1.start!();
    cleanups.push(() => m1.stop!());
    appendFileSync(path, readFileSync(join(FIXTURES, 'earlyoom-1.8-syslog-iso.txt')));
    await until(() => seen.length === 1, 5000);
    expect(seen[0]).toMatchObject({ source: 'syslog', killer: 'earlyoom', victim: { pid: 2232050, comm: 'bun' }, bootId: BOOT });
    await m1.stop!();
    appendFileSync(path, 'Dec  7 02:00:00 h earlyoom[9]: sending SIGTERM to process 77 uid 0 "while-down": badness 9, VmRSS 9 MiB\n');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'Dec  7 02:10:00 h earlyoom[9]: sending SIGTERM to process 78 uid 0 "rotated": badness 9, VmRSS 9 MiB\n');
    const m2 = createKillersModule(ctx, { onIncident: (i) => seen.push(i) });
    m2.start!();
    cleanups.push(() => m2.stop!());
    await until(() => seen.length === 2, 5000);
    expect(seen[1].victim?.comm).toBe('rotated');
    // The line written to the old file while the agent was down is in the rotated file: `oomwatch import` reads it.
    expect(
      createIncidentsRepo(db)
        .list()
        .map((i) => i.victim?.comm)
        .sort(),
    ).toEqual(['bun', 'rotated']);
  });
});
