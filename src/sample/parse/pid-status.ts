export interface PidStatus {
  name: string | null;
  /** Real uid. */
  uid: number | null;
  swapBytes: number;
  pageTablesBytes: number;
  rssAnonBytes: number | null;
  rssFileBytes: number | null;
  rssShmemBytes: number | null;
}

/** Parses /proc/<pid>/status: the fields stat lacks (uid, VmSwap, VmPTE, RssAnon/File/Shmem). Kernel threads lack Vm* lines. */
export function parsePidStatus(text: string): PidStatus {
  const out: PidStatus = { name: null, uid: null, swapBytes: 0, pageTablesBytes: 0, rssAnonBytes: null, rssFileBytes: null, rssShmemBytes: null };
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

function kB(v: string): number {
  return Number.parseInt(v, 10) * 1024;
}
