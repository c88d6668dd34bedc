import { chmodSync, cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

/** The uid/gid the tests switch to when they need an unprivileged user (nobody/nogroup on Debian). */
export const OTHER_USER = { uid: 65534, gid: 65534 } as const;

/** Packages the built agent never loads: left out of the copy to keep it small and quick. */
const DEV_ONLY = new Set(['typescript', '@esbuild', 'esbuild', 'rollup', '@rollup', 'vite', 'vitest', '@vitest', '@types']);

let copied: string | null = null;

/** Whether a user who is neither the owner nor in the group can enter every folder from `/` down to `dir`. */
export function isTraversableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * A package root that a child running as another user can load the built agent from.
 *
 * CI and developers may clone into a folder only its owner can enter (`mktemp -d` makes 0700): a child
 * switched to uid 65534 then cannot even open `dist/`. In that case the built files, the migrations and the
 * runtime dependencies are copied once per test process into a world-readable temporary folder, removed
 * when the process exits.
 */
export function packageRootForOtherUser(): string {
  const root = packageRoot();
  if (isTraversableByOthers(root)) return root;
  if (copied) return copied;
  const dir = mkdtempSync(join(tmpdir(), 'oomwatch-pkg-'));
  chmodSync(dir, 0o755);
  if (!isTraversableByOthers(dir)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `The package at ${root} and the temporary folder ${tmpdir()} are both closed to other users, so a test cannot run ` +
        'the agent as an unprivileged user. Set TMPDIR to a folder other users can enter (e.g. TMPDIR=/tmp).',
    );
  }
  for (const part of ['package.json', 'migrations', 'dist/src']) cpSync(join(root, part), join(dir, part), { recursive: true });
  cpSync(join(root, 'node_modules'), join(dir, 'node_modules'), {
    recursive: true,
    filter: (src) => !(dirname(src).endsWith('node_modules') && DEV_ONLY.has(basename(src))) && !src.includes('/node_modules/.bin'),
  });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (copied = dir);
}
