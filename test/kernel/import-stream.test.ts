import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { KMSG_FIXTURES } from './fixtures.js';

const MiB = 1024 * 1024;

/** A dmesg log of about `sizeBytes`: ordinary lines, with the fixture's OOM report `reports` times, spread out. */
function writeLog(path: string, sizeBytes: number, reports: number): void {
  const report = readFileSync(join(KMSG_FIXTURES, 'synthetic/4.14-global-child-dmesg.txt'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(/^\[\s*[\d.]+\]/, ''));
  const filler = ' EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.';
  const fd = openSync(path, 'w');
  let us = 1_000_000;
  const line = (text: string) => `[${String(Math.floor(us / 1e6)).padStart(5)}.${String((us += 100) % 1e6).padStart(6, '0')}]${text}\n`;
  const block = Array.from({ length: 10_000 }, () => line(filler)).join('');
  const every = Math.floor(sizeBytes / block.length / (reports + 1));
  let written = 0;
  for (let i = 1; written < sizeBytes; i++) {
    writeSync(fd, block);
    written += block.length;
    if (i % every === 0 && reports-- > 0) writeSync(fd, report.map(line).join(''));
  }
  closeSync(fd);
}

describe('oomwatch import streams its file', () => {
  let t: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    t = makeTempDir();
  });
  afterEach(() => t.cleanup());

  it('imports a 64 MiB log in a process whose heap is capped at 32 MiB', async () => {
    const file = join(t.dir, 'kern.log');
    writeLog(file, 64 * MiB, 3);
    // Read whole, the text alone (64 MiB, and twice that as UTF-16 once split) would not fit in this heap.
    const r = await runCli(['import', file, '--json'], { env: { NODE_OPTIONS: '--max-old-space-size=32' }, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { incidents: { victim: { pid: number } | null }[]; formats: Record<string, number> };
    expect(doc.incidents.map((i) => i.victim?.pid)).toEqual([813, 813, 813]);
    expect(doc.formats.dmesg).toBeGreaterThan(700_000);
  });

  it('refuses a binary file (a journal file, a gzip) with exit 65 and says what to pass instead', async () => {
    const journal = join(t.dir, 'system.journal');
    writeFileSync(journal, Buffer.concat([Buffer.from('LPKSHHRH\0\0\0\0\x01\0\0\0'), Buffer.alloc(4096, 0)]));
    const gz = join(t.dir, 'kern.log.1.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(KMSG_FIXTURES, 'synthetic/4.14-global-child-dmesg.txt'))));
    for (const file of [journal, gz]) {
      const r = await runCli(['import', file]);
      expect(r.code).toBe(65);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `oomwatch: ${file} is not a text log: its first bytes hold NUL or other binary data. Pass a saved kernel log as text: ` +
          'export a journal file with journalctl -k -o json --file FILE > kern.json, unpack a compressed log first (zcat kern.log.1.gz > kern.txt).\n',
      );
    }
  });

  it('reads standard input the same way', async () => {
    const r = await runCli(['import', '-', '--json'], {
      input: readFileSync(join(KMSG_FIXTURES, 'synthetic/4.14-global-child-dmesg.txt'), 'utf8'),
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { incidents: { victim: { pid: number } }[] }).incidents.map((i) => i.victim.pid)).toEqual([813]);
  });
});
