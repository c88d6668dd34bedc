/**
 * A real memory-cgroup OOM kill, on demand: create a memory cgroup with a small limit, run a process
 * in it that grows past the limit, and clean up whatever happens. Used by test/kernel/real-kill.test.ts,
 * by the full-agent drill test, and by scripts/oom-drill (a user's own host).
 *
 * cgroup v2 is used where the memory controller is enabled on the unified hierarchy (the child group
 * gets memory.max and memory.swap.max = 0); else v1 under <root>/memory (memory.limit_in_bytes, and
 * memory.memsw.limit_in_bytes when swap accounting exists, so the hog cannot escape into swap).
 * Needs root (or a delegated subtree); the kernel prints the group's path relative to its hierarchy
 * root, which is what `cgroupPath` holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryCgroupSupport {
  ok: boolean;
  version?: 1 | 2;
  /** The hierarchy's mount point (v2: where cgroup.controllers lists memory; v1: the memory controller's mount). */
  mount?: string;
  /** Why a memory cgroup cannot be created here, and what would fix it. */
  reason?: string;
}

export interface OomCgroup {
  version: 1 | 2;
  /** Folder in cgroupfs. */
  dir: string;
  /** Path as the kernel prints it (oom_memcg=…), relative to the hierarchy root: "/oomwatch-test-…". */
  cgroupPath: string;
  limitBytes: number;
}

export interface HogRun {
  pid: number;
  /** The hog's start time (field 22 of /proc/PID/stat), read while it waited to start growing. */
  startTimeTicks: number;
  /** Resolves when the hog ends (an OOM kill ends it with SIGKILL). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  child: ChildProcess;
}

const readOr = (p: string, fallback = ''): string => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return fallback;
  }
};

/** Finds where a memory cgroup can be made, without changing anything. */
export function memoryCgroupSupport(root = '/sys/fs/cgroup', uid = process.getuid?.()): MemoryCgroupSupport {
  if (uid !== 0) return { ok: false, reason: 'not running as root: creating a memory cgroup needs root (or a delegated cgroup subtree)' };
  for (const mount of [root, join(root, 'unified')]) {
    const ctl = readOr(join(mount, 'cgroup.controllers'));
    if (ctl.split(/\s+/).includes('memory')) {
      const subtree = readOr(join(mount, 'cgroup.subtree_control'));
      if (subtree.split(/\s+/).includes('memory')) return { ok: true, version: 2, mount };
    }
  }
  const v1 = join(root, 'memory');
  if (existsSync(join(v1, 'memory.limit_in_bytes'))) return { ok: true, version: 1, mount: v1 };
  return {
    ok: false,
    reason: `no memory controller found: neither a cgroup v2 hierarchy with "memory" in cgroup.subtree_control under ${root} nor a v1 memory hierarchy at ${v1}`,
  };
}

/** Creates a memory cgroup with the given limit (default 64 MiB). Throws with the reason when unsupported. */
export function createOomCgroup(opts: { limitBytes?: number; name?: string; root?: string } = {}): OomCgroup {
  const support = memoryCgroupSupport(opts.root);
  if (!support.ok) throw new Error(`Cannot create a memory cgroup: ${support.reason}`);
  const limitBytes = opts.limitBytes ?? 64 * 1024 * 1024;
  const name = opts.name ?? `oomwatch-test-${randomBytes(4).toString('hex')}`;
  const dir = join(support.mount!, name);
  mkdirSync(dir);
  const cg: OomCgroup = { version: support.version!, dir, cgroupPath: `/${name}`, limitBytes };
  try {
    if (cg.version === 2) {
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    } else {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
    }
  } catch (err) {
    rmdirSync(dir);
    throw err;
  }
  return cg;
}

/** The cgroup's OOM kill counter (v2 memory.events oom_kill, v1 memory.oom_control oom_kill). */
export function oomKillCount(cg: OomCgroup): number | null {
  const text = readOr(join(cg.dir, cg.version === 2 ? 'memory.events' : 'memory.oom_control'));
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Starts a python3 process named `comm` that waits, is moved into the cgroup, then touches memory
 * 1 MiB at a time until the OOM killer ends it (or `maxMb` is reached, then it exits 3).
 */
export async function runHogInCgroup(cg: OomCgroup, opts: { comm?: string; maxMb?: number; stepDelayMs?: number } = {}): Promise<HogRun> {
  const comm = (opts.comm ?? 'oomwatch-hog').slice(0, 15);
  const code = [
    'import ctypes, sys, time',
    // PR_SET_NAME = 15: the kernel's report names the process by this comm.
    `ctypes.CDLL(None).prctl(15, ${JSON.stringify(comm)}.encode(), 0, 0, 0)`,
    "print('waiting', flush=True)",
    'sys.stdin.readline()',
    'chunks = []',
    `for i in range(${opts.maxMb ?? 1024}):`,
    '    b = bytearray(1024 * 1024)',
    '    for j in range(0, len(b), 4096): b[j] = 1',
    '    chunks.append(b)',
    `    time.sleep(${(opts.stepDelayMs ?? 2) / 1000})`,
    'sys.exit(3)',
  ].join('\n');
  const child = spawn('python3', ['-c', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (c, s) => resolve({ code: c, signal: s })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('waiting') && resolve());
    child.once('error', reject);
    void exited.then((e) => reject(new Error(`the hog exited before it started (${e.code ?? e.signal})`)));
  });
  const pid = child.pid!;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const startTimeTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  writeFileSync(join(cg.dir, 'cgroup.procs'), String(pid));
  child.stdin.write('go\n');
  return { pid, startTimeTicks, exited, child };
}

/** Kills what is left in the cgroup and removes it; safe to call more than once and after failures. */
export async function removeOomCgroup(cg: OomCgroup): Promise<void> {
  if (!existsSync(cg.dir)) return;
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = readOr(join(cg.dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      rmdirSync(cg.dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 100)); // EBUSY until the killed tasks are reaped
    }
  }
  throw new Error(`Could not remove ${cg.dir}: it still holds processes. Remove it by hand (rmdir ${cg.dir}).`);
}
