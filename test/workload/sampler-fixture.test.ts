/**
 * The sampler on a cgroup v2 node with the systemd driver (fixture trees: test/fixtures/proc/k8s-node,
 * test/fixtures/cgroup/v2-k8s) feeding the workload tracker with the node's names (test/fixtures/workload/node):
 * the container's cgroup becomes its pod and container, stored in a real SQLite file; CRI-O's conmon is the
 * pod's, not a container. Fixed instant throughout.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createSampler } from '../../src/sample/host.js';
import { openStore } from '../../src/store/store.js';
import { cgroupPathsOf } from '../../src/workload/agent-module.js';
import { createNamesSource } from '../../src/workload/names-source.js';
import { createWorkloadTracker } from '../../src/workload/tracker.js';
import { makeTempDir } from '../helpers/tmp.js';

const FX = join(import.meta.dirname, '../fixtures');
const NODE = join(FX, 'workload/node');
const T0 = 1_700_000_000_000;
const UID = '0f3c2a9e-6b1d-4c5e-9a7f-2b8d1e4c6a3f';
const CID = '3f5e8c1d2b4a69788f0e1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382';
const POD_SLICE = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice`;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('sampler + workload tracker on a systemd-driver cgroup v2 fixture node', () => {
  it('stores the pod, container and QoS of the sampled container cgroup, and conmon as the pod without a container', () => {
    const t = makeTempDir('oomwatch-wl-sampler-');
    cleanups.push(t.cleanup);
    const store = openStore(join(t.dir, 'oomwatch.db'));
    cleanups.push(() => store.close());
    const { sampler } = createSampler({
      procRoot: join(FX, 'proc/k8s-node'),
      cgroupRoot: join(FX, 'cgroup/v2-k8s'),
      refreshEveryMs: 300_000,
    });
    const snap = sampler.takeSnapshot(T0);
    const nginx = snap.processes.find((p) => p.comm === 'nginx')!;
    expect(nginx).toMatchObject({ cgroup: `${POD_SLICE}/cri-containerd-${CID}.scope`, unit: `cri-containerd-${CID}.scope` });
    expect(snap.cgroups.map((c) => c.path)).toContain(nginx.cgroup);

    const names = createNamesSource({
      podLogsDir: join(NODE, 'var/log/pods'),
      containerLogsDir: join(NODE, 'var/log/containers'),
      dockerContainersDir: join(NODE, 'var/lib/docker/containers'),
      podmanStorageDirs: [],
      passwdFile: join(NODE, 'etc/passwd'),
    });
    const repo = store.workloads;
    createWorkloadTracker({ repo, names, log: silentLogger() }).observe(cgroupPathsOf(snap), T0);

    expect(repo.get(nginx.cgroup)).toEqual({
      kind: 'k8s-pod',
      runtime: 'cri-containerd',
      podUid: UID,
      qos: 'burstable',
      containerId: CID,
      unit: `cri-containerd-${CID}.scope`,
      userUid: null,
      namespace: 'shop',
      pod: 'web-7d9f',
      container: 'nginx',
      image: null,
      composeProject: null,
      composeService: null,
      userName: null,
    });
    expect(repo.get(`${POD_SLICE}/crio-conmon-${CID}.scope`)).toMatchObject({
      kind: 'k8s-pod',
      podUid: UID,
      runtime: 'crio',
      containerId: null,
      namespace: 'shop',
      pod: 'web-7d9f',
      container: null,
    });
    expect(repo.list().find((r) => r.cgroup === nginx.cgroup)).toMatchObject({ firstSeenMs: T0, lastSeenMs: T0 });
  });
});
