import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KMSG_FIXTURES, listFixtures } from './fixtures.js';

function io(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return {
    out: (t) => void out_.push(t),
    err: (t) => void err_.push(t),
    env: { OOMWATCH_CONFIG: '' },
    isTty: false,
    log: silentLogger(),
    out_,
    err_,
  };
}

async function cli(args: string[]) {
  const x = io();
  const code = await main(['node', 'oomwatch', ...args], x);
  return { code, out: x.out_.join('\n'), err: x.err_.join('\n') };
}

const temps: { cleanup: () => void }[] = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));
function tmp() {
  const t = makeTempDir();
  temps.push(t);
  return t.dir;
}

// The victim pid each fixture's last complete report names (the situations file has several).
const VICTIM: Record<string, number> = {
  '3.10.0-514.6.1.el7-global-1.txt': 6576,
  '4.18.0-memcg-1.txt': 2746,
  '5.15.158-memcg-1.txt': 3902942,
  '6.18.44-memcg-2.txt': 25443,
  '6.18.44-memcg-kmsg-3.txt': 25443,
  '6.18.44-memcg-kmsg-headerless-4.txt': 25443,
  'synthetic/4.14-global-child-dmesg.txt': 813,
  'synthetic/5.1-memcg-constraint-none-kmsg.txt': 2001,
  'synthetic/5.10-global-journal-short.txt': 3001,
  'synthetic/6.1-memcg-v2-kern-log.txt': 4410,
  'synthetic/6.6-situations-dmesg.txt': 801,
  'synthetic/6.8-global-journal-json.txt': 9100,
};

describe('oomwatch import', () => {
  it('knows the expected victim of every fixture', () => {
    expect(Object.keys(VICTIM).sort()).toEqual(listFixtures().sort());
  });

  for (const name of Object.keys(VICTIM)) {
    it(`prints the incidents of ${name} as JSON`, async () => {
      const r = await cli(['import', join(KMSG_FIXTURES, name), '--json']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.out);
      const withVictim = out.incidents.filter((i: { victim: unknown }) => i.victim);
      const last = withVictim.at(-1);
      expect(last.victim.pid).toBe(VICTIM[name]);
      for (const i of out.incidents) {
        expect(Object.keys(i)).toEqual(expect.arrayContaining(['constraint', 'oomMemcg', 'reaped', 'victim']));
        if (i.victim) expect(Object.keys(i.victim)).toEqual(expect.arrayContaining(['pid', 'comm', 'uid', 'anonRssBytes']));
      }
    });
  }

  it('prints a table, and with --db stores each incident once (a second import adds nothing)', async () => {
    const db = join(tmp(), 'o.db');
    const file = join(KMSG_FIXTURES, 'synthetic/6.6-situations-dmesg.txt');
    const first = await cli(['import', file, '--db', db, '--host', 'batch-7']);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/4 OOM kills and 2 reports cut short found .*stored 6 new, 0 already stored\./);
    expect(first.out).toMatch(/batch-7 +import +memcg +\/jobs\/a +501 worker/);
    const again = await cli(['import', file, '--db', db, '--host', 'batch-7']);
    expect(again.out).toMatch(/stored 0 new, 6 already stored/);
    const list = await cli(['incidents', '--db', db, '--since', '10000d', '--json']);
    const incidents = JSON.parse(list.out).incidents;
    expect(incidents).toHaveLength(6);
    expect(incidents.filter((i: { reaped: boolean }) => i.reaped)).toHaveLength(1);
  });

  it('shows one stored incident with its task table', async () => {
    const db = join(tmp(), 'o.db');
    await cli(['import', join(KMSG_FIXTURES, '6.18.44-memcg-kmsg-3.txt'), '--db', db, '--host', 'vm1']);
    // A raw kmsg dump has only boot-relative times: the incident is listed by when it was stored.
    const list = JSON.parse((await cli(['incidents', '--db', db, '--since', '1h', '--json'])).out).incidents;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ timeMs: null, monotonicUs: 917197581 });
    expect((await cli(['incidents', '--db', db])).out).toMatch(
      /\+917\.198s since boot +vm1 +import +memcg +\/oomprobe +25443 python3 +62\.1 MiB +yes/,
    );
    const text = await cli(['incident', '1', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/constraint +memcg \(CONSTRAINT_MEMCG\)/);
    expect(text.out).toMatch(/victim +25443 python3 uid 0/);
    expect(text.out).toMatch(/kernel task table \(4 tasks/);
    const json = JSON.parse((await cli(['incident', '1', '--db', db, '--json'])).out);
    expect(json.incident).toMatchObject({
      id: 1,
      host: 'vm1',
      constraint: 'memcg',
      oomMemcg: '/oomprobe',
      reaped: true,
      victim: { pid: 25443 },
    });
    expect(json.tasks).toHaveLength(4);
  });

  it('sanitises untrusted names in tables', async () => {
    const f = join(tmp(), 'evil.txt');
    writeFileSync(
      f,
      '[  1.000000] Out of memory: Killed process 66 (\u001b[31mx\u202e) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n',
    );
    const r = await cli(['import', f]);
    expect(r.out).not.toMatch(/\u001b|\u202e/);
    expect(r.out).toMatch(/66 \uFFFD\[31mx\uFFFD/);
  });

  it('bad input says what to do', async () => {
    const missing = await cli(['import', '/nonexistent/kern.log']);
    expect(missing.code).toBe(66);
    expect(missing.err).toMatch(/No file \/nonexistent\/kern.log\. Pass the path of a saved kernel log/);
    const empty = join(tmp(), 'empty.txt');
    writeFileSync(empty, '');
    expect((await cli(['import', empty])).err).toMatch(/holds no log lines/);
    const none = join(tmp(), 'none.txt');
    writeFileSync(none, '[ 1.0] hello\n');
    expect((await cli(['import', none])).out).toMatch(/No OOM kill found in .*none.txt \(1 records: 1 dmesg\)/);
  });
});

describe('oomwatch incidents / incident', () => {
  it('a missing database or incident is a clear error', async () => {
    const dir = tmp();
    const r = await cli(['incidents', '--db', join(dir, 'nope.db')]);
    expect(r.code).toBe(66);
    expect(r.err).toMatch(/No database at .*nope\.db\. Run the agent \(oomwatch run\) first, or pass --db\./);
    const db = join(dir, 'o.db');
    openDatabase(db).close();
    expect((await cli(['incidents', '--db', db])).out).toBe('No OOM kills recorded in the last 7d.');
    const one = await cli(['incident', '9', '--db', db]);
    expect(one.code).toBe(66);
    expect(one.err).toMatch(/No incident 9 in .*List them with oomwatch incidents/);
    expect((await cli(['incident', 'abc', '--db', db])).code).toBe(64);
    expect((await cli(['incidents', '--since', 'soon', '--db', db])).err).toMatch(
      /--since: expected a duration such as 1h or 7d, got "soon"/,
    );
  });
});
