/**
 * Benchmark of the kernel OOM recorder. Prints figures; asserts nothing.
 *   npx tsc -p . && node dist/scripts/bench/kernel.js
 * 1. Parsing a 10,000-record kmsg backlog synthesised from the fixtures (raw records of the 6.18 report,
 *    the 5.1 report, and foreign records in between, renumbered): record parser alone, then parser +
 *    report assembler, then the whole read path (KmsgSource draining a file + assembler).
 * 2. Time from the kernel's kill record to the committed incident: the watcher follows a kmsg file
 *    (default poll interval) and the bench appends a kill report at random instants.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { KmsgSource } from '../../src/kernel/kmsg-source.js';
import { OomReportAssembler } from '../../src/kernel/oom-assembler.js';
import { parseKmsgRecord } from '../../src/kernel/parse-kmsg-record.js';
import type { KernelRecord } from '../../src/model/kernel-report.js';
import { createKernelWatcher } from '../../src/kernel/watcher.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { packageRoot } from '../../src/util/package-root.js';
import { createStore } from '../../src/store/store.js';

const fixtures = join(packageRoot(), 'test/fixtures/kmsg');
const body = (l: string) => l.slice(l.indexOf(';') + 1);
const reportA = readFileSync(join(fixtures, '6.18.44-memcg-kmsg-3.txt'), 'utf8').trimEnd().split('\n').map(body);
const reportB = readFileSync(join(fixtures, 'synthetic/5.1-memcg-constraint-none-kmsg.txt'), 'utf8')
  .trimEnd()
  .split('\n')
  .filter((l) => !l.startsWith(' '))
  .map(body);
const foreign = [
  'usb 1-1: new high-speed USB device number 3 using xhci_hcd',
  'EXT4-fs (sda1): mounted filesystem with ordered data mode',
  'audit: type=1400 audit(1700000000.000:42): apparmor="DENIED" operation="open"',
  'e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex',
];

function backlog(n: number): string[] {
  const out: string[] = [];
  let seq = 1;
  let ts = 1_000_000;
  for (let b = 0; out.length < n; b++) {
    const block = b % 3 === 0 ? reportA : b % 3 === 1 ? reportB : Array.from({ length: 60 }, (_, i) => foreign[i % foreign.length]);
    for (const text of block) {
      if (out.length >= n) break;
      out.push(`6,${seq++},${(ts += 37)},-;${text}`);
    }
  }
  return out;
}

function time<T>(label: string, runs: number, f: () => T): T {
  let r!: T;
  f(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) r = f();
  const us = Number(process.hrtime.bigint() - t0) / 1000 / runs;
  console.log(`${label.padEnd(58)} ${(us / 1000).toFixed(2).padStart(8)} ms`);
  return r;
}

const lines = backlog(10_000);
console.log(`kmsg backlog: ${lines.length} records, ${(lines.join('\n').length / 1024).toFixed(0)} KiB`);
time('parse records (parseKmsgRecord)', 20, () => lines.map(parseKmsgRecord));
const reports = time('parse + assemble reports', 20, () => {
  const asm = new OomReportAssembler();
  let n = 0;
  for (const l of lines) {
    const k = parseKmsgRecord(l)!;
    for (const e of asm.push({ text: k.text, seq: k.seq, monotonicUs: k.tsUsec, wallMs: null })) if (e.kind === 'report') n++;
  }
  return n;
});
console.log(`  → ${reports} reports`);
const work = mkdtempSync(join(tmpdir(), 'oomwatch-bench-kernel-'));
const file = join(work, 'kmsg');
writeFileSync(file, `${lines.join('\n')}\n`);
time('read path: KmsgSource drains a file + assembler', 10, () => {
  const asm = new OomReportAssembler();
  let n = 0;
  const src = new KmsgSource({
    path: file,
    bootId: 'b',
    clock: systemClock,
    resume: null,
    maxRecordsPerTurn: 1e9,
    suspendedMs: () => 0,
    onGap() {},
    onRecords: (rs: KernelRecord[]) => rs.forEach((r) => (n += asm.push(r).length)),
  });
  src.open();
  src.drain();
  src.stop();
  return n;
});

async function latency(samples: number): Promise<number[]> {
  const kmsg = join(work, 'live-kmsg');
  writeFileSync(kmsg, '');
  const db = openDatabase(join(work, 'bench.db'));
  const watcher = createKernelWatcher({
    store: createStore(db),
    log: silentLogger(),
    clock: systemClock,
    kmsgPath: kmsg,
    bootId: 'bench',
    hostname: 'bench',
    suspendedMs: () => 0,
  });
  watcher.start();
  const count = db.prepare('SELECT count(*) AS n FROM incident');
  const out: number[] = [];
  let seq = 1;
  for (let i = 0; i < samples; i++) {
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 300));
    const before = (count.get() as { n: number }).n;
    const mono = systemClock.monotonicMs() * 1000;
    const recs = reportA.map((t, j) => `6,${seq++},${mono + j},-;${t.replace('25443', String(20000 + i))}`);
    const t0 = performance.now();
    appendFileSync(kmsg, `${recs.join('\n')}\n`);
    while ((count.get() as { n: number }).n === before) await new Promise((r) => setImmediate(r));
    out.push(performance.now() - t0);
  }
  await watcher.stop();
  db.close();
  return out.sort((a, b) => a - b);
}

const lat = await latency(30);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))].toFixed(0);
console.log(
  `kill record → committed incident (file-backed kmsg, 250 ms poll, ${lat.length} kills): median ${pct(50)} ms, p95 ${pct(95)} ms, max ${lat.at(-1)!.toFixed(0)} ms`,
);
rmSync(work, { recursive: true, force: true });
