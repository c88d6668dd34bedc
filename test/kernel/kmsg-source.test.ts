import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { KmsgSource, type KmsgGap } from '../../src/kernel/kmsg-source.js';
import type { KernelRecord } from '../../src/model/kernel-report.js';
import { useTempDirs } from '../helpers/temp-dirs.js';
import { readFixture } from './fixtures.js';

/** The wall-clock instant the manual clocks of this file start at. */
const START_MS = Date.UTC(2026, 0, 1);

const BOOT = 'boot-a';
const tmp = useTempDirs();
const fakeKmsg = (content: string): string => tmp.file('kmsg', content);

function reader(path: string, resume: { bootId: string; nextSeq: number } | null, clock = manualClock(START_MS)) {
  const records: KernelRecord[] = [];
  const gaps: KmsgGap[] = [];
  const src = new KmsgSource({
    path,
    bootId: BOOT,
    clock,
    resume,
    onRecords: (r) => records.push(...r),
    onGap: (g) => gaps.push(g),
    suspendedMs: () => 0,
  });
  src.open();
  return { src, records, gaps };
}

const dump = readFixture('6.18.44-memcg-kmsg-3.txt');
const lines = dump.trimEnd().split('\n');

describe('KmsgSource', () => {
  it('stops and resumes mid-stream on a recorded dump: nothing lost, nothing doubled', () => {
    const half = 40;
    const path = fakeKmsg(`${lines.slice(0, half).join('\n')}\n${lines[half].slice(0, 10)}`); // the last record only partly written
    const a = reader(path, null);
    a.src.drain();
    a.src.stop();
    expect(a.records.map((r) => r.seq)).toEqual(Array.from({ length: half }, (_, i) => 593 + i));
    appendFileSync(path, `${lines[half].slice(10)}\n${lines.slice(half + 1).join('\n')}\n`);
    const b = reader(path, { bootId: BOOT, nextSeq: a.src.lastSeq! + 1 });
    b.src.drain();
    b.src.stop();
    const seqs = [...a.records, ...b.records].map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: 83 }, (_, i) => 593 + i));
    expect(b.gaps).toEqual([]);
    expect(b.records.find((r) => r.seq === 674)?.text).toMatch(/^Memory cgroup out of memory: Killed process 25443 \(python3\)/);
  });

  it('a cursor from another boot starts from the beginning', () => {
    const r = reader(fakeKmsg(dump), { bootId: 'old-boot', nextSeq: 10_000 });
    r.src.drain();
    expect(r.records).toHaveLength(83);
    expect(r.records[0]).toMatchObject({ seq: 593, bootId: BOOT });
  });

  it('reports records overwritten before start and sequence jumps as gaps', () => {
    const text = ['6,20,1000,-;a', '6,21,2000,-;b', '6,30,3000,-;c', ''].join('\n');
    const r = reader(fakeKmsg(text), { bootId: BOOT, nextSeq: 15 });
    r.src.drain();
    expect(r.gaps).toEqual([
      { reason: 'overwritten-before-start', fromSeq: 15, toSeq: 19 },
      { reason: 'seq-jump', fromSeq: 22, toSeq: 29 },
    ]);
    expect(r.records.map((x) => x.text)).toEqual(['a', 'b', 'c']);
  });

  it('converts timestamps with the realtime − monotonic offset, per epoch across a suspend', () => {
    const clock = manualClock(Date.UTC(2026, 0, 1)); // monotonic starts at 1,000,000 ms
    const path = fakeKmsg('6,1,999000000,-;before\n6,2,999500000,-;PM: suspend entry (deep)\n');
    const r = reader(path, null, clock);
    r.src.drain();
    // Suspend for one hour: wall moves, monotonic does not; then records logged after resume.
    clock.jumpWall(3_600_000);
    clock.advance(2000);
    appendFileSync(path, '6,3,1000001000,-;PM: suspend exit\n6,4,1000001500,-;after\n');
    r.src.drain();
    const at = (t: string) => r.records.find((x) => x.text === t)!;
    expect(at('before').wallMs).toBe(Date.UTC(2026, 0, 1) - 1000);
    expect(at('after').wallMs).toBe(Math.round(Date.UTC(2026, 0, 1) + 3_600_000 + 1.5));
    expect(at('after').wallMs! - at('before').wallMs!).toBeGreaterThan(3_600_000);
  });

  it('a record logged before a suspend but read after it keeps its true time', () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const path = fakeKmsg('6,1,999000000,-;first\n');
    const r = reader(path, null, clock);
    r.src.drain();
    appendFileSync(
      path,
      '6,2,1000000100,-;late but before suspend\n6,3,1000000200,-;PM: suspend entry (s2idle)\n6,4,1000000300,-;PM: suspend exit\n',
    );
    clock.jumpWall(600_000);
    r.src.drain();
    const at = (t: string) => r.records.find((x) => x.text === t)!;
    expect(at('late but before suspend').wallMs).toBe(Date.UTC(2026, 0, 1));
    expect(at('PM: suspend exit').wallMs).toBe(Math.round(Date.UTC(2026, 0, 1) + 600_000 + 0.3));
  });

  it('a failing read is reported and polling goes on (a timer never throws)', async () => {
    const errors: unknown[] = [];
    let secondError: () => void = () => undefined;
    const twoErrors = new Promise<void>((resolve) => (secondError = resolve));
    const onError = (e: unknown) => {
      errors.push(e);
      if (errors.length === 2) secondError();
    };
    const src = new KmsgSource({
      path: tmp.dir(),
      bootId: BOOT,
      clock: manualClock(START_MS),
      resume: null,
      pollIntervalMs: 10,
      onRecords() {},
      onGap() {},
      onError,
      suspendedMs: () => 0,
    });
    src.start(); // a folder opens, but read() fails with EISDIR
    await twoErrors; // the next poll after the first failure ran and failed again
    src.stop();
    expect(errors.length).toBeGreaterThan(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('EISDIR');
  });
});
