export interface PidStatus {
  name: string | null;
  /** Real uid. */
  uid: number | null;
  swapBytes: number;
  pageTablesBytes: number;
  rssAnonBytes: number | null;
  rssFileBytes: number | null;
  rssShmemBytes: number | null;
  /** VmRSS; null when the line is absent: a kernel thread, or a process whose memory is gone (exiting, zombie). */
  vmRssBytes: number | null;
  /** SIGKILL is pending for the thread or the whole process (SigPnd / ShdPnd): it is being killed. */
  sigkillPending: boolean;
}

/** SIGKILL is signal 9: bit 8 of the pending masks, which status prints in hex. */
const SIGKILL_BIT = 1n << 8n;

/** Parses /proc/<pid>/status: the fields stat lacks (uid, VmSwap, VmPTE, RssAnon/File/Shmem) and the signs of an ending process (no VmRSS, SIGKILL pending). Kernel threads lack Vm* lines. */
export function parsePidStatus(text: string): PidStatus {
  const out: PidStatus = {
    name: null,
    uid: null,
    swapBytes: 0,
    pageTablesBytes: 0,
    rssAnonBytes: null,
    rssFileBytes: null,
    rssShmemBytes: null,
    vmRssBytes: null,
    sigkillPending: false,
  };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    switch (key) {
      case 'Name':
        out.name = value;
        break;
      case 'Uid':
        out.uid = Number(value.split(/\s+/)[0]);
        break;
      case 'VmSwap':
        out.swapBytes = kB(value);
        break;
      case 'VmPTE':
        out.pageTablesBytes = kB(value);
        break;
      case 'VmRSS':
        out.vmRssBytes = kB(value);
        break;
      case 'SigPnd':
      case 'ShdPnd':
        if (hasSigkill(value)) out.sigkillPending = true;
        break;
      case 'RssAnon':
        out.rssAnonBytes = kB(value);
        break;
      case 'RssFile':
        out.rssFileBytes = kB(value);
        break;
      case 'RssShmem':
        out.rssShmemBytes = kB(value);
        break;
    }
  }
  return out;
}

function hasSigkill(hexMask: string): boolean {
  if (!/^[0-9a-fA-F]+$/.test(hexMask)) return false;
  return (BigInt(`0x${hexMask}`) & SIGKILL_BIT) !== 0n;
}

function kB(v: string): number {
  return Number.parseInt(v, 10) * 1024;
}
