/**
 * `oomwatch top` names each process's workload: the sampler on the systemd-driver fixture node, names read from the
 * fixture node's files (no database: what `top` does before the agent ever ran). Fixed instant throughout.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TopRowJson } from '../../src/cli/json/top.js';
import { renderDomainTable, topRows } from '../../src/cli/render/top.js';
import { createSampler } from '../../src/sample/host.js';
import { createWorkloadLookup } from '../../src/workload/lookup.js';

const FX = join(import.meta.dirname, '../fixtures');
const NODE = join(FX, 'workload/node');

describe('top on a Kubernetes node', () => {
  const { sampler } = createSampler({
    procRoot: join(FX, 'proc/k8s-node'),
    cgroupRoot: join(FX, 'cgroup/v2-k8s'),
    refreshEveryMs: 300_000,
  });
  const snap = sampler.takeSnapshot(1_700_000_000_000);
  const lookup = createWorkloadLookup(null, {
    resolveNames: true,
    podLogsDir: join(NODE, 'var/log/pods'),
    containerLogsDir: join(NODE, 'var/log/containers'),
    dockerContainersDir: join(NODE, 'none'),
    podmanStorageDirs: [],
    passwdFile: join(NODE, 'etc/passwd'),
  });

  it('the container cgroup domain lists nginx with its pod, container and QoS; the JSON row matches its schema', () => {
    const domain = snap.domains.find((d) => d.kind === 'cgroup')!;
    const rows = topRows(snap, domain, null, 10, lookup);
    expect(rows[0]).toMatchObject({
      comm: 'nginx',
      workload: { kind: 'k8s-pod', namespace: 'shop', pod: 'web-7d9f', container: 'nginx', qos: 'burstable' },
    });
    expect(() => TopRowJson.parse(rows[0])).not.toThrow();
    expect(renderDomainTable(snap, domain, rows)).toMatch(/WORKLOAD[\s\S]*shop\/web-7d9f\/nginx/);
  });

  it('without names, the row still says what the path says', () => {
    const host = snap.domains.find((d) => d.kind === 'host')!;
    const nginx = topRows(snap, host, null, 10).find((r) => r.comm === 'nginx')!;
    expect(nginx.workload).toMatchObject({
      kind: 'k8s-pod',
      runtime: 'cri-containerd',
      podUid: '0f3c2a9e-6b1d-4c5e-9a7f-2b8d1e4c6a3f',
      pod: null,
      container: null,
    });
    expect(renderDomainTable(snap, host, topRows(snap, host, null, 10))).toContain('pod0f3c2a9e…/3f5e8c1d2b4a');
  });
});
