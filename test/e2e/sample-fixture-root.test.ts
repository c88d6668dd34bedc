import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const FX = join(import.meta.dirname, '../fixtures');

/** node_exporter-style end-to-end test: the whole JSON document against a golden file (UPDATE_GOLDEN=1 rewrites it). */
describe.each([
  ['busy-host', 'v2'],
  ['old-kernel', 'v1'],
])('oomwatch sample --once --json on the %s fixture tree', (tree, cgroups) => {
  it('matches the golden document', async () => {
    const r = await runCli([
      'sample',
      '--once',
      '--json',
      '--proc-root',
      join(FX, 'proc', tree),
      '--cgroup-root',
      join(FX, 'cgroup', cgroups),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.takenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    doc.takenAt = '(varies)';
    const golden = join(import.meta.dirname, 'expected', `${tree}.json`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, `${JSON.stringify(doc, null, 2)}\n`);
    expect(doc).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });
});
