/** Golden files: compare, or rewrite with UPDATE_GOLDEN=1. A missing golden file is a failure, not a pass. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';

export const GOLDEN_DIR = join(packageRoot(), 'test/fixtures/report/golden');

export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path))
    expect.fail(`golden file ${path} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report, review it, and commit it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
