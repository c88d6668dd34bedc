import { describe, expect, it } from 'vitest';
import { normalizeConstraint, normalizeToken, sanitizeLabelValue, selectTopCgroups, selectTopProcesses } from '../../src/metrics/labels.js';
import { snapshotWith } from './snapshot-factory.js';

describe('sanitizeLabelValue', () => {
  it('removes control and bidi characters and caps the length in code points', () => {
    expect(sanitizeLabelValue('evil\u202eexe\nx', 15)).toBe('evil\uFFFDexe\uFFFDx');
    expect(sanitizeLabelValue('a-very-long-process-name', 15)).toHaveLength(15);
    expect(sanitizeLabelValue('a-very-long-process-name', 15).endsWith('…')).toBe(true);
    expect(sanitizeLabelValue('😀😀😀😀', 3)).toBe('😀😀…');
    expect(sanitizeLabelValue('postgres', 15)).toBe('postgres');
  });
});

describe('normalizeConstraint', () => {
  it.each([
    ['CONSTRAINT_MEMCG', 'memcg'],
    ['CONSTRAINT_NONE', 'global'],
    ['global', 'global'],
    ['CONSTRAINT_MEMORY_POLICY', 'mempolicy'],
    ['mempolicy', 'mempolicy'],
    ['CONSTRAINT_CPUSET', 'cpuset'],
    ['something new', 'unknown'],
  ])('%s → %s', (input, expected) => expect(normalizeConstraint(input)).toBe(expected));
});

describe('normalizeToken', () => {
  it('keeps config names and replaces anything else', () => {
    expect(normalizeToken('ops-slack')).toBe('ops-slack');
    expect(normalizeToken('a b"c')).toBe('a_b_c');
    expect(normalizeToken('')).toBe('unknown');
    expect(normalizeToken('x'.repeat(100))).toHaveLength(64);
  });
});

describe('selectTopProcesses', () => {
  it('follows the host ranking, caps comm at 15 characters and never carries a pid', () => {
    const snap = snapshotWith(50, {}, (i) => (i === 49 ? { comm: 'a)b <!channel>\u0007xyz', unit: null } : {}));
    const top = selectTopProcesses(snap, 3);
    expect(top.map((r) => r.rank)).toEqual([1, 2, 3]);
    expect(top[0]).toMatchObject({ comm: 'a)b <!channel>…', unit: '', rssBytes: 50 * 1024 * 1024 });
    expect(top[1]).toMatchObject({ comm: 'worker-48', unit: 'worker@48.service' });
    expect(Object.keys(top[0]).sort()).toEqual(['badnessBytes', 'comm', 'oomScoreAdj', 'rank', 'risk', 'rssBytes', 'unit']);
  });

  it('gives each comm and unit one row, the highest-ranked, and keeps its real rank', () => {
    // 40 workers of one pool outrank everything else: the pool is one row, and the next rows are ranked 41, 42.
    const snap = snapshotWith(50, {}, (i) => (i >= 10 ? { comm: 'php-fpm', unit: 'php-fpm.service' } : {}));
    const top = selectTopProcesses(snap, 3);
    expect(top.map((r) => [r.rank, r.comm, r.unit])).toEqual([
      [1, 'php-fpm', 'php-fpm.service'],
      [41, 'worker-9', 'worker@9.service'],
      [42, 'worker-8', 'worker@8.service'],
    ]);
    expect(top[0].rssBytes).toBe(50 * 1024 * 1024);
  });

  it('never gives two rows the same labels, also when comms differ only beyond 15 characters', () => {
    const snap = snapshotWith(30, {}, (i) => ({ comm: `same-long-prefix-${i}`, unit: 'x.service' }));
    const top = selectTopProcesses(snap, 5);
    expect(top).toHaveLength(1);
    expect(top[0]).toMatchObject({ rank: 1, comm: 'same-long-pref…' });
  });

  it('ranks by risk and skips immune processes when the snapshot has no host domain', () => {
    const snap = snapshotWith(5, { domains: [] }, (i) => (i === 4 ? { immune: true } : {}));
    expect(selectTopProcesses(snap, 2).map((r) => [r.rank, r.comm])).toEqual([
      [1, 'worker-3'],
      [2, 'worker-2'],
    ]);
    expect(selectTopProcesses(snap, 0)).toEqual([]);
  });
});

describe('selectTopCgroups', () => {
  it('keeps only cgroups with a real limit, fullest first', () => {
    const rows = selectTopCgroups(snapshotWith(1), 10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rank: 1, cgroup: '/docker/abc', nextVictim: { comm: 'worker-0', riskPermille: 1 } });
    expect(rows[0].usageRatio).toBeCloseTo(900 / 1024, 5);
  });

  it('names the next victim inside each cgroup from its own OOM domain, and none for a cgroup without one', () => {
    const base = snapshotWith(3, {}, (i) => (i === 0 ? { comm: 'evil\u202e' } : {}));
    const domain = {
      kind: 'cgroup' as const,
      id: '/docker/abc',
      totalBytes: 1024 ** 3,
      ranking: [{ ...base.domains[0].ranking[2], risk: 812 }],
    };
    expect(selectTopCgroups({ ...base, domains: [base.domains[0], domain] }, 5)[0].nextVictim).toEqual({
      comm: 'evil\uFFFD',
      riskPermille: 812,
    });
    expect(selectTopCgroups({ ...base, domains: [base.domains[0]] }, 5)[0].nextVictim).toBeNull();
  });

  it('keeps cgroup labels unique when long paths are cut to the same label', () => {
    const long = `/kubepods.slice/${'x'.repeat(200)}`;
    const base = snapshotWith(1);
    const cg = (path: string, usageBytes: number) => ({ ...base.cgroups[0], path, usageBytes });
    const rows = selectTopCgroups(
      { ...base, cgroups: [cg(`${long}/a`, 500 * 1024 ** 2), cg(`${long}/b`, 1000 * 1024 ** 2), cg('/short', 100 * 1024 ** 2)] },
      10,
    );
    expect(rows.map((r) => [r.rank, r.cgroup.length, r.usageBytes])).toEqual([
      [1, 120, 1000 * 1024 ** 2],
      [3, 6, 100 * 1024 ** 2],
    ]);
  });
});
