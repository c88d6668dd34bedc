import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `path` so that a reader (systemd, another process, a crash) sees the old file or the new one,
 * never half of one: a hidden temporary file in the same folder, fsync, rename over the target, then fsync the
 * folder so the rename itself survives a power cut. Creates the folder when missing. The temporary file is removed
 * on failure; errors are thrown as they come (callers turn EACCES/EROFS into a message that names the fix).
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
