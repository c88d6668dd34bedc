/** The single-agent lock against real processes: a live holder blocks, a dead or zombie holder is taken over. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireAgentLock, type LockOwner } from '../../src/agent/lock.js';
import { StoreLockedError } from '../../src/errors.js';
import { parsePidStat } from '../../src/sample/parse/pid-stat.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { makeTempDir } from '../helpers/tmp.js';
import { createStore } from '../../src/store/store.js';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const procfs = new ProcFs('/proc');
const identityOf = (pid: number): LockOwner => ({
  pid,
  startTimeTicks: parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).startTimeTicks,
  bootId,
  hostname: 'h',
});

/** A python3 parent whose child has exited and is never reaped: the child stays a zombie until the parent ends. */
async function startZombie(): Promise<{ parent: ChildProcess; zombiePid: number }> {
  const code = [
    'import os, time',
    'pid = os.fork()',
    'if pid == 0: os._exit(0)',
    'os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)',
    'print(pid, flush=True)',
    'time.sleep(600)',
  ].join('\n');
  const parent = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  return { parent, zombiePid: Number(String(line).trim()) };
}

let t: ReturnType<typeof makeTempDir>;
let db: Database;
const children: ChildProcess[] = [];
beforeEach(() => {
  t = makeTempDir();
  db = openDatabase(join(t.dir, 'oomwatch.db'));
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
  db.close();
  t.cleanup();
});

describe('the single-agent lock', () => {
  it('is refused while its holder lives', async () => {
    const holder = spawn('sleep', ['600']);
    children.push(holder);
    await once(holder, 'spawn');
    acquireAgentLock(createStore(db).lock, 'db', identityOf(holder.pid!), procfs, 0);
    expect(() => acquireAgentLock(createStore(db).lock, 'db', identityOf(process.pid), procfs, 1)).toThrow(StoreLockedError);
  });

  it('is taken over from a holder that is a zombie (exited, not reaped)', async () => {
    const { parent, zombiePid } = await startZombie();
    children.push(parent);
    const zombie = identityOf(zombiePid);
    expect(parsePidStat(readFileSync(`/proc/${zombiePid}/stat`, 'utf8')).state).toBe('Z');
    acquireAgentLock(createStore(db).lock, 'db', zombie, procfs, 0);
    const me = identityOf(process.pid);
    acquireAgentLock(createStore(db).lock, 'db', me, procfs, 1);
    expect(db.prepare('SELECT pid FROM agent_lock').get()).toEqual({ pid: process.pid });
  });
});
