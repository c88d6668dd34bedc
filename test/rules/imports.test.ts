/**
 * rules/ is pure (docs/architecture.md "Who may import what"): evaluation, lifecycle, planning,
 * silences, trends and the kinds read no store, no file and no clock. The stateful engine that
 * persists their results is src/alerts/. rules/ owns its config section (rules/config.ts) and imports
 * nothing from config/, which only composes the sections; the kinds do not import rules/config.ts either,
 * which builds the `rules:` schema from them.
 */
import { describe, expect, it } from 'vitest';
import { importsUnder } from '../helpers/imports.js';

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

  it('src/rules imports nothing from config/, and the kinds not the rules section built from them', () => {
    expect(importsUnder('src/rules').filter((i) => i.target.startsWith('src/config/'))).toEqual([]);
    expect(importsUnder('src/rules/kinds').filter((i) => i.target === 'src/rules/config.js')).toEqual([]);
  });
});
