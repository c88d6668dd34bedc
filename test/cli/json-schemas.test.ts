/**
 * The `--json` documents and their published JSON Schemas (docs/json/*.schema.json):
 * 1. the files are what the zod schemas generate (else: run npm run json-schemas);
 * 2. real output of every command, on fixture proc roots and a fixture database, parses with its schema,
 *    and parsing drops nothing (a field the schema does not describe fails the test).
 * One clock: the real one (the database is filled "now"; the CLI reads Date.now()).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { JSON_DOCUMENTS, jsonSchemaText } from '../../src/cli/json/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { packageRoot } from '../../src/util/package-root.js';
import { proc, snapshot } from '../helpers/snapshots.js';
import { makeTempDir } from '../helpers/tmp.js';

const ROOT = packageRoot();
const at = (p: string) => join(ROOT, p);
const DOCS_JSON = at('docs/json');
const schemaOf = (name: string): z.ZodType => JSON_DOCUMENTS.find((d) => d.name === name)!.schema;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    env: { OOMWATCH_CONFIG: '' },
    isTty: false,
    log: silentLogger(),
  };
  const code = await main(['node', 'oomwatch', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Parses the output with the document's schema; the parsed value must equal the output (nothing undescribed). */
async function expectDocument(name: string, args: string[], okCodes = [0]): Promise<Record<string, unknown>> {
  const r = await cli(args);
  expect(okCodes, `${args.join(' ')}: ${r.err}`).toContain(r.code);
  const doc = JSON.parse(r.out) as Record<string, unknown>;
  const parsed = schemaOf(name).safeParse(doc);
  expect(parsed.success ? [] : parsed.error.issues, `${name}: output does not match its schema`).toEqual([]);
  expect(parsed.data, `${name}: the output has fields its schema does not describe`).toEqual(doc);
  return doc;
}

describe('docs/json/*.schema.json', () => {
  it('are what the zod schemas generate (run npm run json-schemas after changing a document)', () => {
    const files = existsSync(DOCS_JSON)
      ? readdirSync(DOCS_JSON)
          .filter((f) => f.endsWith('.schema.json'))
          .sort()
      : [];
    expect(files, 'run npm run json-schemas').toEqual(JSON_DOCUMENTS.map((d) => `${d.name}.schema.json`).sort());
    for (const d of JSON_DOCUMENTS)
      expect(readFileSync(join(DOCS_JSON, `${d.name}.schema.json`), 'utf8'), `${d.name}: run npm run json-schemas`).toBe(jsonSchemaText(d));
  });

  it('document risk -1000 for immune processes', () => {
    expect(readFileSync(join(DOCS_JSON, 'sample.schema.json'), 'utf8')).toContain('-1000 means immune');
  });
});

describe('every --json document matches its schema', () => {
  const tmp = makeTempDir();
  const db = join(tmp.dir, 'oomwatch.db');
  const busyHost = ['--proc-root', at('test/fixtures/proc/busy-host')];
  let incidentId = 0;

  beforeAll(async () => {
    // A kill imported from a raw /dev/kmsg dump (no wall time: listed by when it was stored, i.e. now) …
    const imported = await cli(['import', at('test/fixtures/kmsg/6.18.44-memcg-kmsg-3.txt'), '--db', db, '--json']);
    expect(imported.code, imported.err).toBe(0);
    incidentId = (JSON.parse(imported.out) as { incidents: { id: number }[] }).incidents[0].id;
    // … and a few sampled ticks up to now, with an immune process among them.
    const store = openDatabase(db);
    try {
      const repo = new SamplesRepo(store, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
      const nowMs = Date.now();
      for (const agoMs of [120_000, 60_000, 0]) {
        repo.writeTick(
          snapshot(nowMs - agoMs, [proc({ pid: 10, comm: 'postgres' }), proc({ pid: 11, comm: 'sshd', oomScoreAdj: -1000 })]),
          1000,
        );
      }
    } finally {
      store.close();
    }
    const silence = await cli([
      'silence',
      'add',
      '--match',
      'comm=postgres',
      '--for',
      '1h',
      '--comment',
      'load test',
      '--author',
      'ops',
      '--db',
      db,
    ]);
    expect(silence.code, silence.err).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('sample', async () => {
    const doc = await expectDocument('sample', ['sample', '--once', '--json', ...busyHost, '--cgroup-root', at('test/fixtures/cgroup/v2')]);
    const processes = doc.processes as { immune: boolean; risk: number }[];
    expect(processes.filter((p) => p.immune).map((p) => p.risk)).toContain(-1000);
  });
  it('top (uid, and user kept for v1 readers)', async () => {
    const doc = await expectDocument('top', ['top', '--json', ...busyHost, '--db', join(tmp.dir, 'none.db')]);
    const row = (doc.domains as { nextVictims: { uid: number | null; user: number | null }[] }[])[0].nextVictims[0];
    expect(row.user).toBe(row.uid);
  });
  it('history', () => expectDocument('history', ['history', 'postgres', '--json', '--db', db]));
  it('incidents', async () => {
    const doc = await expectDocument('incidents', ['incidents', '--json', '--since', '1h', '--db', db]);
    // One name per concept: the host name is `host` in every document.
    expect(Object.keys((doc.incidents as object[])[0])).toEqual(expect.arrayContaining(['host']));
    expect(Object.keys((doc.incidents as object[])[0])).not.toContain('hostname');
  });
  it('incident', () => expectDocument('incident', ['incident', String(incidentId), '--json', '--db', db]));
  it('import', () => expectDocument('import', ['import', at('test/fixtures/kmsg/synthetic/6.6-situations-dmesg.txt'), '--json']));
  it('alerts', () => expectDocument('alerts', ['alerts', '--json', '--db', db]));
  it('silences', () => expectDocument('silences', ['silence', 'list', '--json', '--db', db]));
  it('report-incident', () =>
    expectDocument('report-incident', ['report', '--incident', String(incidentId), '--format', 'json', '--db', db]));
  it('report-daily', () => expectDocument('report-daily', ['report', '--format', 'json', '--db', db, 'daily']));
  it('doctor', () => expectDocument('doctor', ['doctor', '--json', '--db', db], [0, 1]));
  it('protect-plan', () =>
    expectDocument('protect-plan', [
      'protect',
      'plan',
      '--json',
      ...busyHost,
      '--config',
      at('config/policy.example.yaml'),
      '--cgroup-root',
      at('test/fixtures/cgroup/v2'),
      '--passwd',
      at('test/policy/fixtures/busy-host.passwd'),
    ]));
  it('config', () => expectDocument('config', ['config', 'show', '--json', '--config', at('config/oomwatch.example.yaml')]));
});
