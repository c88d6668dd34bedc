/**
 * One of the Node.js floors that scripts/bench/node-floor.ts measures the agent against. Runs until killed.
 *
 *   node node-floor-child.js bare|read|store INTERVAL_MS [DB_PATH]
 *
 * - bare: Node.js with a timer, nothing else.
 * - read: every interval, the five files the C floor reads (oom_score, oom_score_adj, statm, comm, stat) of
 *   every process, open/read/close into one reused buffer, with numbers parsed and no strings kept.
 * - store: read, plus the agent's SQLite (store/db.ts, its pragmas) and one row per process whose values
 *   changed, written in one transaction per tick; the last values per pid are kept in a Map of numbers.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';

const [mode, intervalArg, dbPath] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
const buf = Buffer.allocUnsafe(4096);
const FILES = ['oom_score', 'oom_score_adj', 'statm', 'comm', 'stat'];

/** Bytes read into `buf`, or -1 when the process is gone. */
function read(path: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, buf, 0, buf.length, 0);
  } catch {
    return -1;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The leading decimal integer in `buf` (oom_score, oom_score_adj, statm's first field). */
function leadingInt(n: number): number {
  let i = 0;
  let sign = 1;
  if (buf[0] === 45) {
    sign = -1;
    i = 1;
  }
  let v = 0;
  for (; i < n && buf[i] >= 48 && buf[i] <= 57; i++) v = v * 10 + buf[i] - 48;
  return sign * v;
}

const last = new Map<number, { score: number; adj: number; size: number }>();
// Loaded only in store mode: better-sqlite3's addon is part of what that floor measures.
const store = mode === 'store' ? await import('../../src/store/db.js') : null;
const db = store ? store.openDatabase(dbPath) : null;
if (db) store?.applyAgentMemoryPragmas(db);
db?.exec('CREATE TABLE IF NOT EXISTS floor_sample (at INTEGER, pid INTEGER, score INTEGER, adj INTEGER, size INTEGER)');
const insert = db?.prepare('INSERT INTO floor_sample VALUES (?, ?, ?, ?, ?)');

function tick(): void {
  const at = Date.now();
  const changed: [number, number, number, number][] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const v = [0, 0, 0];
    let gone = false;
    for (let f = 0; f < FILES.length && !gone; f++) {
      const n = read(`/proc/${pid}/${FILES[f]}`);
      if (n < 0) gone = true;
      else if (f < 3) v[f] = leadingInt(n);
    }
    if (gone || !db) continue;
    const prev = last.get(pid);
    if (prev && prev.score === v[0] && prev.adj === v[1] && prev.size === v[2]) continue;
    last.set(pid, { score: v[0], adj: v[1], size: v[2] });
    changed.push([pid, v[0], v[1], v[2]]);
  }
  if (db && insert) db.transaction(() => changed.forEach(([pid, score, adj, size]) => insert.run(at, pid, score, adj, size)))();
}

if (mode !== 'bare') tick();
setInterval(() => mode !== 'bare' && tick(), intervalMs);
process.on('SIGTERM', () => {
  db?.close();
  process.exit(0);
});
