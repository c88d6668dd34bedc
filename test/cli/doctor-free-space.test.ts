import { describe, expect, it } from 'vitest';
import { freeSpaceCheck, LOW_FREE_BYTES } from '../../src/cli/commands/doctor.js';

const GiB = 1024 ** 3;

describe('doctor: free space for the database', () => {
  it('is ok with at least 64 MiB and 5 % free', () => {
    expect(freeSpaceCheck({ dir: '/var/lib/oomwatch', freeBytes: 10 * GiB, totalBytes: 100 * GiB })).toEqual({
      name: 'disk space',
      status: 'ok',
      detail: '10.0 GiB free of 100 GiB (10.0 %) on the filesystem holding /var/lib/oomwatch',
    });
  });

  it('warns under 64 MiB even on a small disk where that is most of it, and under 5 % even when that is many MiB', () => {
    const small = freeSpaceCheck({ dir: '/d', freeBytes: LOW_FREE_BYTES - 1, totalBytes: LOW_FREE_BYTES + 1 });
    expect(small.status).toBe('warn');
    expect(small.fix).toMatch(/move store\.path to a larger disk/);
    const big = freeSpaceCheck({ dir: '/d', freeBytes: 4 * GiB, totalBytes: 100 * GiB });
    expect(big).toMatchObject({ status: 'warn', detail: expect.stringMatching(/\(4\.0 %\) on the filesystem holding \/d: under 64/) });
  });
});
