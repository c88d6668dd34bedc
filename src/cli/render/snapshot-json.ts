import type { HostSnapshot, ProcessSample } from '../../model/snapshot.js';
import { formatIso } from '../../util/format.js';
import { SAMPLE_SCHEMA_ID, type ProcessJson, type SampleJson } from '../json/sample.js';

/**
 * The stable JSON document of `oomwatch sample --json` (docs/json.md, schema in ../json/sample.ts). Field
 * names carry units; adding fields is compatible, renaming or removing one is not.
 */
export function snapshotToJson(s: HostSnapshot): SampleJson {
  return {
    schema: SAMPLE_SCHEMA_ID,
    takenAt: formatIso(s.takenAtMs),
    host: s.hostname,
    bootId: s.bootId,
    kernelRelease: s.kernelRelease,
    oomScoreScale: s.scale,
    memory: s.memory,
    psi: s.psi,
    vmstatOomKill: s.vmstatOomKill,
    cgroupVersion: s.cgroupVersion,
    cgroups: s.cgroups,
    counts: s.counts,
    processes: s.processes.map(processToJson),
    domains: s.domains.map((d) => ({
      kind: d.kind,
      id: d.id,
      totalBytes: d.totalBytes,
      nextVictims: d.ranking.slice(0, 10).map((r, i) => ({ rank: i + 1, ...r })),
    })),
  };
}

export function processToJson(p: ProcessSample): ProcessJson {
  return {
    pid: p.pid,
    startTimeTicks: p.startTimeTicks,
    bootId: p.bootId,
    ppid: p.ppid,
    uid: p.uid,
    comm: p.comm,
    cmdline: p.cmdline,
    exe: p.exe,
    cgroup: p.cgroup,
    unit: p.unit,
    state: p.state,
    oomScore: p.oomScore,
    oomScoreAdj: p.oomScoreAdj,
    risk: p.risk,
    immune: p.immune,
    rssBytes: p.rssBytes,
    swapBytes: p.swapBytes,
    pageTablesBytes: p.pageTablesBytes,
  };
}
