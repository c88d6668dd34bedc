import { describe, expect, it } from 'vitest';
import { detectScale, isImmune, riskFromOomScore, scaleFromKernelRelease } from '../../src/sample/risk.js';

describe('risk normalisation', () => {
  it('maps the new scale back to badness per mille', () => {
    expect(riskFromOomScore(666, 'new')).toBe(0); // idle, adj 0
    expect(riskFromOomScore(1333, 'new')).toBe(1000); // adj 1000
    expect(riskFromOomScore(2000, 'new')).toBe(2000);
    expect(riskFromOomScore(0, 'new')).toBe(-1000);
  });
  it('keeps the old scale as is', () => {
    expect(riskFromOomScore(651, 'old')).toBe(651);
  });
  it('recovers the badness of every kernel-printed score within one per mille', () => {
    for (let b = -998; b <= 1000; b++) {
      const printed = Math.floor(((1000 + b) * 2) / 3);
      const r = riskFromOomScore(printed, 'new');
      expect(r - b).toBeGreaterThanOrEqual(0);
      expect(r - b).toBeLessThanOrEqual(1);
    }
  });
  it('knows who is immune', () => {
    expect(isImmune(0, -1000, 'old')).toBe(true);
    expect(isImmune(0, 0, 'new')).toBe(true);
    expect(isImmune(0, 0, 'old')).toBe(false); // an idle process reads 0 on the old scale
  });
});

describe('scale detection', () => {
  it('votes new when idle processes read about 666', () => {
    expect(
      detectScale([
        { oomScore: 666, oomScoreAdj: 0, usagePermille: 0.5 },
        { oomScore: 0, oomScoreAdj: -1000, usagePermille: 1 },
      ]),
    ).toBe('new');
  });
  it('votes old when idle processes read about 0', () => {
    expect(
      detectScale([
        { oomScore: 0, oomScoreAdj: 0, usagePermille: 0.5 },
        { oomScore: 733, oomScoreAdj: 0, usagePermille: 733 },
      ]),
    ).toBe('old');
  });
  it('detects the new scale even for a process that protects itself (adj -900)', () => {
    expect(detectScale([{ oomScore: 67, oomScoreAdj: -900, usagePermille: 1 }])).toBe('new');
  });
  it('says nothing without evidence, and then the kernel version decides', () => {
    expect(detectScale([{ oomScore: 0, oomScoreAdj: -1000, usagePermille: 0 }])).toBeNull();
    expect(scaleFromKernelRelease('5.8.18')).toBe('old');
    expect(scaleFromKernelRelease('5.9.0')).toBe('new');
    expect(scaleFromKernelRelease('3.10.0-514.el7.x86_64')).toBe('old');
  });
});
