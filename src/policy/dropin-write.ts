import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { PermissionError } from '../errors.js';
import { unifiedDiff } from './diff.js';
import { dropInRelPath, renderDropIn, type OomPolicy } from './systemd-dropin.js';

export interface DropInRequest {
  /** Filesystem root; '/' on a real host, a temp folder in tests or image builds. */
  root: string;
  unit: string;
  adj: number;
  oomPolicy: OomPolicy | null;
  dryRun: boolean;
}

export interface DropInResult {
  path: string;
  /** Unified diff from the current file (or /dev/null) to the new content; '' when nothing changes. */
  diff: string;
  changed: boolean;
  written: boolean;
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Writes the drop-in atomically: a temporary file in the same folder, fsync, rename over the target, fsync the
 * folder, so systemd never reads half a file. A dry run computes the diff and touches nothing.
 */
export function writeDropIn(req: DropInRequest): DropInResult {
  const rel = dropInRelPath(req.unit);
  const path = join(resolve(req.root), rel);
  const next = renderDropIn(req.unit, req.adj, req.oomPolicy);
  const current = readIfExists(path);
  const diff = unifiedDiff(current, next, `a/${rel}`, `b/${rel}`);
  const changed = current !== next;
  if (req.dryRun || !changed) return { path, diff, changed, written: false };
  try {
    writeFileAtomic(path, next);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new PermissionError(
        `Cannot write ${path} (${code}): run as root, or pass --root to write into another tree (e.g. an image being built).`,
        { cause: err },
      );
    }
    throw err;
  }
  return { path, diff, changed, written: true };
}
