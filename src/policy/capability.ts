import type { ProcFs } from '../sample/procfs.js';

/**
 * CAP_SYS_RESOURCE (include/uapi/linux/capability.h: bit 24). Without it a process may set another's oom_score_adj
 * only at or above the floor left by the last privileged writer (fs/proc/base.c __set_oom_adj(): oom_score_adj_min,
 * 0 by default), so it can raise values and undo its own raises, but not protect anything below 0.
 */
export const CAP_SYS_RESOURCE = 24;

/** The effective capability set from /proc/PID/status (`CapEff:` in hex), or null when the line is missing. Pure. */
export function parseCapEff(statusText: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`) : null;
}

export const hasCapability = (capEff: bigint, bit: number): boolean => ((capEff >> BigInt(bit)) & 1n) === 1n;

/** Whether this process holds CAP_SYS_RESOURCE (reads <root>/self/status); null when that cannot be read. */
export function readCapSysResource(selfProc: ProcFs): boolean | null {
  let text: string;
  try {
    const r = selfProc.pidFile('self', 'status');
    if (r.kind !== 'ok') return null; // unknown, not an error: the write itself will tell (EACCES)
    text = r.value;
  } catch {
    return null; // an unexpected read error: unknown too
  }
  const eff = parseCapEff(text);
  return eff === null ? null : hasCapability(eff, CAP_SYS_RESOURCE);
}

/** How to grant the capability, for every message that needs it. */
export const GRANT_CAP_SYS_RESOURCE =
  'Grant it: AmbientCapabilities=CAP_SYS_RESOURCE in the oomwatch systemd unit (CapabilityBoundingSet must include it); ' +
  'in a container, the container runtime must grant it (docker run --cap-add SYS_RESOURCE; Kubernetes ' +
  'securityContext.capabilities.add: ["SYS_RESOURCE"]). Or let systemd set the value at start: oomwatch protect systemd UNIT --adj N.';

/**
 * @example cannotProtectMessage('sshd (pid 812)', 0, -1000)
 * // "cannot protect sshd (pid 812): lowering oom_score_adj from 0 to -1000 needs CAP_SYS_RESOURCE, which oomwatch lacks. Grant it: …"
 */
export function cannotProtectMessage(who: string, fromAdj: number | null, toAdj: number): string {
  const from = fromAdj === null ? '' : ` from ${fromAdj}`;
  return `cannot protect ${who}: lowering oom_score_adj${from} to ${toAdj} needs CAP_SYS_RESOURCE, which oomwatch lacks. ${GRANT_CAP_SYS_RESOURCE}`;
}
