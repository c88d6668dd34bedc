/** What the benches read about a running process from /proc: memory lines of status, CPU time, threads. */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime in /proc/PID/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** A `kB` line of /proc/PID/status (VmRSS, VmHWM, …) in KiB; NaN when absent. */
export function statusKib(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** utime + stime of a process, all its threads included, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / USER_HZ;
}

export const threadCount = (pid: number): number => readdirSync(`/proc/${pid}/task`).length;
