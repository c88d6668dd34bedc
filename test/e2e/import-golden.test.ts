/**
 * End-to-end: a saved kernel log → `oomwatch import --json`, the whole document against a golden file
 * (UPDATE_GOLDEN=1 rewrites it). The logs carry their own times (journal JSON, `dmesg -T` with its year) or none
 * (raw /dev/kmsg, dmesg), so the document does not depend on when the test runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const KMSG = join(import.meta.dirname, '../fixtures/kmsg');

// One log per format whose times do not depend on the day the test runs: a kern.log or `journalctl -o short` line
// carries no year (it is taken from today), so those formats are checked by the parser tests, not here.
describe.each([
  ['synthetic/6.8-global-journal-json.txt', 'import-6.8-global-journal-json.json'],
  ['6.18.44-memcg-kmsg-3.txt', 'import-6.18.44-memcg-kmsg-3.json'],
  ['synthetic/5.1-memcg-constraint-none-kmsg.txt', 'import-5.1-memcg-constraint-none-kmsg.json'],
  ['6.18.44-memcg-2.txt', 'import-6.18.44-memcg-dmesg-2.json'],
  ['synthetic/4.14-global-child-dmesg.txt', 'import-4.14-global-child-dmesg.json'],
  ['5.15.158-memcg-1.txt', 'import-5.15.158-memcg-dmesg-T-1.json'],
])('oomwatch import %s --json', (log, expected) => {
  it('matches the golden document', async () => {
    const r = await runCli(['import', join(KMSG, log), '--json'], { cwd: KMSG });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { file: string };
    expect(doc.file).toBe(join(KMSG, log));
    doc.file = log; // the checkout's path varies
    const golden = join(import.meta.dirname, 'expected', expected);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, `${JSON.stringify(doc, null, 2)}\n`);
    expect(doc).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });
});
