import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { OTHER_USER } from '../helpers/other-user.js';
import { makeTempDir } from '../helpers/tmp.js';

type Check = { name: string; status: string; detail: string; fix?: string };

describe('oomwatch doctor', () => {
  it('reports the kernel, scale, cgroups, kmsg, protection and database with a fix for each problem', async () => {
    const t = makeTempDir();
    try {
      const r = await runCli(['doctor', '--json', '--db', join(t.dir, 'x.db')]);
      expect(r.code).toBe(0);
      const checks: Check[] = JSON.parse(r.stdout).checks;
      expect(checks.map((c) => c.name)).toEqual([
        'config',
        'kernel',
        'proc',
        'psi',
        'oom_kill counter',
        'cgroups',
        'kmsg',
        'protection',
        'database',
        'disk space',
      ]);
      expect(checks.find((c) => c.name === 'kernel')!.detail).toMatch(/oom_score scale: (new|old)/);
      expect(checks.find((c) => c.name === 'database')!.detail).toContain('does not exist yet');
      for (const c of checks.filter((x) => x.status !== 'ok')) expect(c.fix, c.name).toBeTruthy();
      const protection = checks.find((c) => c.name === 'protection')!;
      // this project's dev and CI machines run as root without CAP_SYS_RESOURCE: doctor must say so and how to grant it
      if (protection.status === 'warn') expect(protection.fix).toContain('AmbientCapabilities=CAP_SYS_RESOURCE');
    } finally {
      t.cleanup();
    }
  });

  it.skipIf(process.getuid?.() !== 0 && process.env.CI !== 'true')(
    'warns when the filesystem holding the database is nearly full (a real 2 MiB tmpfs; needs root to mount)',
    async () => {
      const t = makeTempDir();
      const mnt = join(t.dir, 'small');
      mkdirSync(mnt);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt]);
      try {
        const r = await runCli(['doctor', '--json', '--db', join(mnt, 'x.db')]);
        expect(r.code).toBe(0);
        const disk = (JSON.parse(r.stdout).checks as Check[]).find((c) => c.name === 'disk space')!;
        expect(disk.status).toBe('warn');
        expect(disk.detail).toMatch(
          new RegExp(`^2(\\.0)? MiB free of 2(\\.0)? MiB \\(100\\.0 %\\) on the filesystem holding ${mnt}: under 64`),
        );
        expect(disk.fix).toMatch(/^Free space there, or move store\.path to a larger disk/);
      } finally {
        execFileSync('umount', [mnt]);
        t.cleanup();
      }
    },
  );

  it.skipIf(process.getuid?.() !== 0)(
    'run as an unprivileged user, says kmsg is unreadable and how to grant it (needs root to switch user)',
    async () => {
      const t = makeTempDir();
      try {
        chmodSync(t.dir, 0o777);
        const r = await runCli(['doctor', '--json', '--db', join(t.dir, 'x.db')], { ...OTHER_USER, cwd: '/' });
        expect(r.code).toBe(0);
        const checks: Check[] = JSON.parse(r.stdout).checks;
        const kmsg = checks.find((c) => c.name === 'kmsg')!;
        expect(kmsg.status).toBe('warn');
        expect(kmsg.fix).toMatch(/CAP_SYSLOG/);
        expect(checks.find((c) => c.name === 'protection')!.status).toBe('warn');
      } finally {
        t.cleanup();
      }
    },
  );
});
