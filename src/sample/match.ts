import { z } from 'zod';
import type { ProcessSample, UnitScope } from '../model/snapshot.js';

/**
 * How config selects processes (rule scopes, protection policy). Every given field must match (AND);
 * a list matches if any element does (OR). Pure: user names are resolved by the caller's `uidOf`.
 */
export const processMatchSchema = z
  .object({
    /** comm (the kernel's 15-character name), exact; a list means any of them. */
    name: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Executable path, exact (e.g. /usr/sbin/sshd). */
    exe: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Regular expression tested against the (redacted) command line. */
    cmdline: z
      .string()
      .min(1)
      .refine((s) => isValidRegex(s), { message: 'not a valid regular expression; check escaping (YAML single quotes keep backslashes)' })
      .optional(),
    /** User name or numeric uid. */
    user: z
      .union([z.string().min(1), z.number().int().min(0), z.array(z.union([z.string().min(1), z.number().int().min(0)])).min(1)])
      .optional(),
    /** cgroup path prefix (e.g. /system.slice/postgresql.service), matched on path boundaries. */
    cgroup: z.string().startsWith('/').optional(),
    /** systemd unit name (e.g. ssh.service), exact: a system unit unless the caller compiles it for user units. */
    unit: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .strict();

export type ProcessMatch = z.infer<typeof processMatchSchema>;
export type Matchable = Pick<ProcessSample, 'comm' | 'exe' | 'cmdline' | 'uid' | 'cgroup' | 'unit' | 'unitScope'>;
export type ProcessMatcher = (p: Matchable) => boolean;

function isValidRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** cgroup prefix match on path boundaries: /a/b matches /a/b and /a/b/c, not /a/bc. */
export function cgroupWithin(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === p || path.startsWith(`${p}/`);
}

/**
 * Compiles a match into a predicate. `uidOf` maps a user name to its uid (from /etc/passwd, done by the caller).
 * `unitScope` says whose units `unit` names: 'system' (default) selects only units of PID 1's manager, so a user's
 * `systemd-run --user --unit=postgresql` never passes for postgresql.service; 'user' selects only units in user slices.
 */
export function compileMatcher(
  m: ProcessMatch,
  uidOf: (name: string) => number | undefined = () => undefined,
  unitScope: UnitScope = 'system',
): ProcessMatcher {
  const names = asList(m.name);
  const exes = asList(m.exe);
  const units = asList(m.unit);
  const re = m.cmdline ? new RegExp(m.cmdline) : undefined;
  const uids = asList(m.user)?.map((u) => (typeof u === 'number' ? u : /^\d+$/.test(u) ? Number(u) : (uidOf(u) ?? -1)));
  return (p) =>
    (!names || names.includes(p.comm)) &&
    (!exes || (p.exe !== null && exes.includes(p.exe))) &&
    (!re || re.test(p.cmdline)) &&
    (!uids || (p.uid !== null && uids.includes(p.uid))) &&
    (!m.cgroup || cgroupWithin(p.cgroup, m.cgroup)) &&
    (!units || (p.unit !== null && p.unitScope === unitScope && units.includes(p.unit)));
}
