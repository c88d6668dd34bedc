/**
 * model/ is the leaf of plain types every folder may import (docs/architecture.md "Who may import what"):
 * it imports nothing outside itself, so importing it can never close a cycle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { importsUnder } from '../helpers/imports.js';

describe('model/', () => {
  it('finds the imports it checks', () => {
    expect(importsUnder('src/model').some((i) => i.target === 'src/model/alert.js')).toBe(true);
  });

  it('imports nothing outside src/model', () => {
    expect(importsUnder('src/model').filter((i) => !i.target.startsWith('src/model/'))).toEqual([]);
  });

  it('holds only types: each file compiles to no code at all', () => {
    const dir = join(packageRoot(), 'src', 'model');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    const emitted = files.map((f) => ({
      file: f,
      js: ts
        .transpileModule(readFileSync(join(dir, f), 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true },
        })
        .outputText.trim(),
    }));
    expect(emitted.filter((e) => e.js !== 'export {};')).toEqual([]);
  });

  it('store repositories import their types from model/ (not from rules/, notify/ or kernel/)', () => {
    const typeImports = importsUnder('src/store').filter(
      (i) => /-repo\.ts$/.test(i.file) && /^src\/(rules|notify|kernel)\//.test(i.target),
    );
    expect(typeImports).toEqual([]);
  });
});
