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
  const parts = path.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    if (/\.(service|scope)$/.test(parts[i])) return parts[i];
  }
  return null;
}
