/** A user-space killer's log line for tests (ProgramLine): only the program and its text, unless given. */
import type { ProgramLine } from '../../src/killers/program-line.js';

export const programLine = (identifier: string, text: string, over: Partial<ProgramLine> = {}): ProgramLine => ({
  identifier,
  text,
  pid: null,
  wallMs: null,
  wallExact: false,
  monotonicUs: null,
  bootId: null,
  hostname: null,
  cursor: null,
  ...over,
});
