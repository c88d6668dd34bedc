/**
 * rules/ is pure (docs/architecture.md "Who may import what"): evaluation, lifecycle, planning,
 * silences, trends and the kinds read no store, no file and no clock. The stateful engine that
 * persists their results is src/alerts/. The kinds import nothing from config/, which builds the
 * `rules:` schema from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Each import of each file under `folder`, relative imports resolved to a path from the package root. */
function importsUnder(folder: string): { file: string; target: string }[] {
  return sourceFiles(join(root, folder)).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => ({
      file: relative(root, file),
      target: m[1].startsWith('.') ? relative(root, resolve(dirname(file), m[1])) : m[1],
    }));
  });
}

describe('who may import what', () => {
  it('finds the imports it checks', () => {
    expect(importsUnder('src/rules').some((i) => i.target === 'src/rules/kinds/index.js')).toBe(true);
  });

  it('src/rules imports no store, no SQLite, no Node I/O module, and nothing of alerts/ or agent/', () => {
    const outside = ['src/store/', 'src/alerts/', 'src/agent/', 'node:'];
    const bad = importsUnder('src/rules').filter((i) => i.target === 'better-sqlite3' || outside.some((p) => i.target.startsWith(p)));
    expect(bad).toEqual([]);
  });

  it('src/rules/kinds imports nothing from config/ (config composes the kinds, not the reverse)', () => {
    expect(importsUnder('src/rules/kinds').filter((i) => i.target.startsWith('src/config/'))).toEqual([]);
  });
});
