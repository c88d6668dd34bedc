#!/usr/bin/env node
// `npm start` runs this before the agent: it compiles only when a source file, tsconfig.json or package.json is
// newer than the last build, so a start with a current dist/ takes no compile time (tsc takes tens of seconds).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// tsc (not incremental) writes every output on each build, so the entry point's mtime is the last build's time.
const built = join(root, 'dist/src/cli/bin.js');

function newestMtimeMs(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

const inputs = ['src', 'migrations', 'tsconfig.json', 'package.json'].map((p) => join(root, p)).filter(existsSync);
const newest = Math.max(...inputs.map(newestMtimeMs));
if (existsSync(built) && statSync(built).mtimeMs >= newest) process.exit(0);

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
process.exit(tsc.status ?? 1);
