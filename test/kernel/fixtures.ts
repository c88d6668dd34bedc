import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KMSG_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'kmsg');

/** A fixture's exact text: real samples at the top level, hand-written ones under synthetic/. */
export function readFixture(name: string): string {
  return readFileSync(join(KMSG_FIXTURES, name), 'utf8');
}

export function listFixtures(): string[] {
  const top = readdirSync(KMSG_FIXTURES).filter((f) => f.endsWith('.txt'));
  const syn = readdirSync(join(KMSG_FIXTURES, 'synthetic'))
    .filter((f) => f.endsWith('.txt'))
    .map((f) => `synthetic/${f}`);
  return [...top, ...syn];
}
