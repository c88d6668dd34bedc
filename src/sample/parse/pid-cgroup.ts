import type { UnitScope } from '../../model/snapshot.js';

export interface PidCgroups {
  /** The cgroup v2 (unified) path, from the `0::` line; null on pure v1 hosts. */
  unified: string | null;
  /** v1 paths by controller (memory, cpu, …; `name=systemd` too). */
  v1: Record<string, string>;
}

/** Parses /proc/<pid>/cgroup ("hierarchy-ID:controller-list:path" per line; cgroups(7)). */
export function parsePidCgroup(text: string): PidCgroups {
  const out: PidCgroups = { unified: null, v1: {} };
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const controllers = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (line.slice(0, a) === '0' && controllers === '') out.unified = path;
    else for (const c of controllers.split(',')) if (c) out.v1[c] = path;
  }
  return out;
}

/**
 * The systemd unit owning a cgroup path: the deepest `*.service` or `*.scope` component
 * (e.g. /system.slice/ssh.service → ssh.service; …/user@1000.service/app.slice/x.scope → x.scope).
 */
export function unitFromCgroupPath(path: string): string | null {
  return unitOfCgroupPath(path).unit;
}

/**
 * A user slice (`user.slice`, `user-UID.slice`) or a user's service manager (`user@UID.service`). Everything below
 * one is started or named by that user: `systemd-run --user --unit=postgresql` makes
 * /user.slice/user-1001.slice/user@1001.service/app.slice/postgresql.service.
 */
const USER_COMPONENT = /^(user\.slice|user-\d+\.slice|user@\d+\.service)$/;

/** Whether a cgroup path lies in a user slice or under a user's service manager (see USER_COMPONENT). */
export function isUserCgroupPath(path: string): boolean {
  return path.split('/').some((c) => USER_COMPONENT.test(c));
}

/**
 * The unit owning a cgroup path and its manager: 'user' when the unit sits in a user slice or under a user's manager
 * (a user can create it with any name), 'system' otherwise; both null without a unit.
 */
export function unitOfCgroupPath(path: string): { unit: string | null; unitScope: UnitScope | null } {
  const parts = path.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    if (!/\.(service|scope)$/.test(parts[i])) continue;
    return { unit: parts[i], unitScope: parts.slice(0, i + 1).some((c) => USER_COMPONENT.test(c)) ? 'user' : 'system' };
  }
  return { unit: null, unitScope: null };
}
