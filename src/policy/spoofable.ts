import type { ProcessMatch } from '../sample/match.js';
import { isUserCgroupPath } from '../sample/parse/pid-cgroup.js';

/** What these checks read of a policy rule (policy/config.ts PolicyRule). */
export interface PinnableRule {
  match: ProcessMatch;
  scope: 'system' | 'user';
  index: number;
  id: string;
  oomScoreAdj: number;
}

/**
 * Whether a protective rule can be met by a process any local user starts. Pure.
 *
 * comm is the executable's file name (or anything, with prctl PR_SET_NAME), cmdline is argv, and exe is whatever
 * program the user runs: a copy under /tmp, or any system program, which every user may execute (a user's own
 * /usr/sbin/sshd or /usr/bin/python3 is that path too). A user's units (`systemd-run --user --unit=…`) and cgroups
 * in user slices carry names the user picks. What a user cannot choose: their uid, a unit of the system manager,
 * and a cgroup outside the user slices (moving a process there needs write access to a root-owned cgroup.procs).
 */
export function ownerPin(rule: Pick<PinnableRule, 'match' | 'scope'>): 'user' | 'unit' | 'cgroup' | null {
  const m = rule.match;
  if (m.user !== undefined) return 'user';
  if (m.unit !== undefined && rule.scope === 'system') return 'unit';
  if (m.cgroup !== undefined && m.cgroup !== '/' && !isUserCgroupPath(m.cgroup)) return 'cgroup';
  return null;
}

/** The refusal for a protective rule without a pin: what it matches on, why that is not enough, and the fix. */
export function spoofableMessage(rule: Pick<PinnableRule, 'match' | 'scope' | 'index' | 'id' | 'oomScoreAdj'>): string {
  const m = rule.match;
  const on = [
    m.name !== undefined && 'name (comm, which any process can give itself)',
    m.cmdline !== undefined && 'cmdline (argv, chosen by whoever starts the process)',
    m.exe !== undefined && 'exe (any user can run any program, or a copy of it)',
    m.unit !== undefined && 'unit with scope: user (a user names their own units)',
    m.cgroup !== undefined &&
      `cgroup ${m.cgroup} (${m.cgroup === '/' ? 'every process is under /' : 'a user slice, where the user creates cgroups'})`,
  ].filter(Boolean);
  return (
    `policy.rules[${rule.index}] (${rule.id}): protects (${rule.oomScoreAdj}) but matches only on ${on.join(', ')}, so any local user can start ` +
    'a process it selects and make that process (and everything it forks) hard to kill. Pin the owner in its match: ' +
    'user (e.g. user: root, or the service account) or a system unit (e.g. unit: ssh.service); or drop the protection (oomScoreAdj >= 0).'
  );
}
