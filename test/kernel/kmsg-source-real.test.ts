/**
 * KmsgSource on the real machine: the real /dev/kmsg, and a file the agent's user cannot open. The real
 * clock throughout (the recorded-dump tests with a manual clock are in kmsg-source.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { KmsgUnreadableError } from '../../src/errors.js';
import { KmsgSource } from '../../src/kernel/kmsg-source.js';
import type { KernelRecord } from '../../src/model/kernel-report.js';
import { OTHER_USER, packageRootForOtherUser } from '../helpers/other-user.js';
import { useTempDirs } from '../helpers/temp-dirs.js';

const BOOT = 'boot-a';
const tmp = useTempDirs();
const fakeKmsg = (content: string): string => tmp.file('kmsg', content);

describe('KmsgSource on the real machine', () => {
  it('reads the real /dev/kmsg without blocking and finds a record we log', () => {
    if (!existsSync('/dev/kmsg')) return expect.fail('/dev/kmsg is missing on this machine');
    const marker = `oomwatch-kmsg-test-${process.pid}-${Date.now()}`;
    writeFileSync('/dev/kmsg', `${marker}\n`);
    const records: KernelRecord[] = [];
    const src = new KmsgSource({
      path: '/dev/kmsg',
      bootId: BOOT,
      clock: systemClock,
      resume: null,
      onRecords: (r) => records.push(...r),
      onGap: () => {},
    });
    src.open();
    const t0 = Date.now();
    while (src.drain());
    src.stop();
    const mine = records.find((r) => r.text === marker);
    expect(mine).toBeDefined();
    expect(Math.abs(mine!.wallMs! - t0)).toBeLessThan(2000);
  });

  it('without permission to open the file: KmsgUnreadableError naming the fix (run as an unprivileged user)', () => {
    const path = fakeKmsg('6,1,1,-;secret\n');
    chmodSync(path, 0o600);
    const mod = join(packageRootForOtherUser(), 'dist/src/kernel/kmsg-source.js');
    expect(existsSync(mod), 'run `npx tsc -p .` first (npm test builds)').toBe(true);
    const script = `import('${mod}').then(({ KmsgSource }) => {
      const s = new KmsgSource({ path: '${path}', bootId: 'b', clock: { nowMs: Date.now, monotonicMs: () => 0 }, resume: null, onRecords() {}, onGap() {} });
      try { s.open(); console.log('opened'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
    });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { ...OTHER_USER, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ name: 'KmsgUnreadableError', code: 'KMSG_UNREADABLE' });
    expect(out.message).toMatch(/Run oomwatch as root, or grant CAP_SYSLOG/);
    expect(new KmsgUnreadableError(path).message).toBe(out.message);
  });
});
