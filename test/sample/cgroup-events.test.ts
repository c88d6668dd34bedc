import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CgroupFs } from '../../src/sample/cgroupfs.js';

const FX = join(import.meta.dirname, '../fixtures/cgroup');

describe('CgroupFs memory events', () => {
  it('v2: every memory.events counter of a limited cgroup', () => {
    const fs = new CgroupFs(join(FX, 'v2'));
    const m = fs.readMemory(fs.detect()!, '/system.slice/app.service');
    expect(m).toMatchObject({ oomKillCount: 2, oomCount: 3, events: { high: 0, max: 40, oom: 3, oomKill: 2, oomGroupKill: 0 } });
  });

  it('v1: memory.failcnt as the limit hits, memory.oom_control for kills and under_oom', () => {
    const fs = new CgroupFs(join(FX, 'v1'));
    const m = fs.readMemory(fs.detect()!, '/leaker');
    expect(m).toMatchObject({
      oomKillCount: 4,
      events: { high: null, max: 17, oom: null, oomKill: 4, oomGroupKill: null, underOom: false },
    });
  });
});
