/** The imports of the source files under a folder, for the "who may import what" tests (docs/architecture.md). */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each import of each file under `folder`, relative imports resolved to a path from the package root. */
export function importsUnder(folder: string): { file: string; target: string }[] {
  return sourceFiles(join(root, folder)).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map(
      (m) => ({
        file: relative(root, file),
        target: m[1].startsWith('.') ? relative(root, resolve(dirname(file), m[1])) : m[1],
      }),
    );
  });
}
