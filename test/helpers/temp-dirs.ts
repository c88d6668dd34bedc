import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { makeTempDir } from './tmp.js';

// Apart from tmp.ts, which benches import outside vitest (importing vitest there fails).
/**
 * Temporary folders for the tests of one file, each removed after the test that made it (registers an
 * afterEach). `file(name, content)` writes a file in a fresh folder and returns its path.
 */
export function useTempDirs(prefix = 'oomwatch-test-'): { dir(): string; file(name: string, content: string): string } {
  const made: { cleanup: () => void }[] = [];
  afterEach(() => made.splice(0).forEach((t) => t.cleanup()));
  const dir = () => {
    const t = makeTempDir(prefix);
    made.push(t);
    return t.dir;
  };
  return {
    dir,
    file(name, content) {
      const path = join(dir(), name);
      writeFileSync(path, content);
      return path;
    },
  };
}
