import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryCgroupSupport } from '../helpers/oom-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';

const t = makeTempDir();
afterAll(() => t.cleanup());

describe('memoryCgroupSupport (the real-kill test and the drill decide with it)', () => {
  it('prefers a v2 hierarchy whose subtree delegates memory', () => {
    const root = join(t.dir, 'v2');
    mkdirSync(root);
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(join(root, 'cgroup.subtree_control'), 'cpu memory\n');
    expect(memoryCgroupSupport(root, 0)).toEqual({ ok: true, version: 2, mount: root });
  });

  it('falls back to v1 when v2 has no memory controller (this machine’s layout)', () => {
    const root = join(t.dir, 'hybrid');
    mkdirSync(join(root, 'unified'), { recursive: true });
    mkdirSync(join(root, 'memory'));
    writeFileSync(join(root, 'unified', 'cgroup.controllers'), '');
    writeFileSync(join(root, 'memory', 'memory.limit_in_bytes'), '9223372036854771712\n');
    expect(memoryCgroupSupport(root, 0)).toEqual({ ok: true, version: 1, mount: join(root, 'memory') });
  });

  it('names what is missing', () => {
    const r = memoryCgroupSupport(join(t.dir, 'none'), 0);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/no memory controller found: neither a cgroup v2 hierarchy .* nor a v1 memory hierarchy at/);
    expect(memoryCgroupSupport(join(t.dir, 'v2'), 1000)).toEqual({ ok: false, reason: expect.stringMatching(/^not running as root/) });
  });
});
