/**
 * Containers vanish before anyone looks: the workload of a cgroup is resolved when the sampler first sees it and
 * kept, so a kill read after the container's logs are gone still names its pod and container. A real SQLite
 * file, the kernel watcher reading a kmsg file (a real 6.18 capture with its cgroup renamed to a pod's), and the
 * fixture node's files in a temporary copy that the test deletes from. Real clock throughout.
 */
import { appendFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { IncidentView } from '../../src/model/incident.js';
import { createKernelWatcher } from '../../src/kernel/watcher.js';
import { silentLogger } from '../../src/log.js';
import { openStore, type Store } from '../../src/store/store.js';
import { WORKLOAD_PRUNABLE } from '../../src/store/workloads-repo.js';
import { createNamesSource } from '../../src/workload/names-source.js';
import { createWorkloadTracker, type WorkloadTracker } from '../../src/workload/tracker.js';
import { readFixture } from '../kernel/fixtures.js';
import { BOOT } from '../helpers/snapshots.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';

const WEB = '0f3c2a9e-6b1d-4c5e-9a7f-2b8d1e4c6a3f';
const NGINX = '3f5e8c1d2b4a69788f0e1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382';
const REPORT = 'c4d5e6f7-0819-4a2b-8c3d-4e5f60718293';
const NGINX_CGROUP = `/kubepods/burstable/pod${WEB}/${NGINX}`;
const REPORT_CGROUP = `/kubepods.slice/kubepods-pod${REPORT.replace(/-/g, '_')}.slice/cri-containerd-${'ab'.repeat(32)}.scope`;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The real capture's records with its cgroup (/oomprobe) renamed and the kill line at monotonic `nowUs`. */
function killRecords(cgroup: string, nowUs: number, seqBase: number): string {
  const killTs = 917197581;
  return readFixture('6.18.44-memcg-kmsg-3.txt')
    .trimEnd()
    .split('\n')
    .map((l) =>
      l
        .replace(/^(\d+),(\d+),(\d+),/, (_m, p, s, ts) => `${p},${Number(s) + seqBase},${Number(ts) - killTs + nowUs},`)
        .replaceAll('/oomprobe', cgroup),
    )
    .join('\n')
    .concat('\n');
}

function setup(): { store: Store; node: string; tracker: WorkloadTracker; kmsgPath: string; seen: IncidentView[] } {
  const t = makeTempDir('oomwatch-workload-');
  cleanups.push(() => t.cleanup());
  const node = join(t.dir, 'node');
  cpSync(join(import.meta.dirname, '../fixtures/workload/node'), node, { recursive: true });
  const store = openStore(join(t.dir, 'oomwatch.db'));
  cleanups.push(() => void store.close());
  const names = createNamesSource({
    podLogsDir: join(node, 'var/log/pods'),
    containerLogsDir: join(node, 'var/log/containers'),
    dockerContainersDir: join(node, 'var/lib/docker/containers'),
    podmanStorageDirs: [join(node, 'var/lib/containers/storage')],
    passwdFile: join(node, 'etc/passwd'),
  });
  const tracker = createWorkloadTracker({ repo: store.workloads, names, log: silentLogger() });
  const kmsgPath = join(t.dir, 'kmsg');
  writeFileSync(kmsgPath, '');
  const seen: IncidentView[] = [];
  const w = createKernelWatcher({
    store,
    log: silentLogger(),
    clock: systemClock,
    kmsgPath,
    bootId: BOOT,
    hostname: 'node-a',
    pollIntervalMs: 20,
    suspendedMs: () => 0,
    onIncident: (i) => seen.push(i),
    ensureWorkload: (p) => tracker.ensure(p, systemClock.nowMs()),
  });
  w.start();
  cleanups.push(() => w.stop());
  return { store, node, tracker, kmsgPath, seen };
}

describe('workloads of killed containers', () => {
  it('a container sampled while it ran is named in its kill after its logs are gone, and after its workload row ages out', async () => {
    const { store, node, tracker, kmsgPath, seen } = setup();
    tracker.observe([NGINX_CGROUP, '/system.slice/nginx.service'], systemClock.nowMs());
    expect(store.workloads.get(NGINX_CGROUP)).toMatchObject({ namespace: 'shop', pod: 'web-7d9f', container: 'nginx' });

    // The pod is deleted: kubelet removes its logs, the next tick no longer lists the cgroup.
    rmSync(join(node, 'var/log/pods', `shop_web-7d9f_${WEB}`), { recursive: true });
    rmSync(join(node, 'var/log/containers'), { recursive: true });
    tracker.observe(['/system.slice/nginx.service'], systemClock.nowMs());

    appendFileSync(kmsgPath, killRecords(NGINX_CGROUP, systemClock.monotonicMs() * 1000, 0));
    await until(() => seen.length === 1);
    const expected = {
      kind: 'k8s-pod',
      podUid: WEB,
      containerId: NGINX,
      qos: 'burstable',
      namespace: 'shop',
      pod: 'web-7d9f',
      container: 'nginx',
    };
    expect(seen[0]).toMatchObject({ taskMemcg: NGINX_CGROUP, workload: expected });

    // Pruned past the retention, the workload row goes; the incident keeps its copy.
    await store.pruneHistory(systemClock.nowMs() + 1, 100, [WORKLOAD_PRUNABLE]);
    expect(store.workloads.get(NGINX_CGROUP)).toBeNull();
    expect(store.incidents.get(seen[0].id!)!.workload).toMatchObject(expected);
  });

  it('a container that lived less than a tick is resolved when its kill is read', async () => {
    const { kmsgPath, seen } = setup();
    appendFileSync(kmsgPath, killRecords(REPORT_CGROUP, systemClock.monotonicMs() * 1000, 0));
    await until(() => seen.length === 1);
    expect(seen[0].workload).toMatchObject({
      kind: 'k8s-pod',
      podUid: REPORT,
      qos: 'guaranteed',
      runtime: 'cri-containerd',
      namespace: 'batch',
      pod: 'report-28391',
      container: 'report',
      unit: `cri-containerd-${'ab'.repeat(32)}.scope`,
    });
  });

  it('names a runtime writes after the cgroup appeared are looked up again; names once found are kept', () => {
    const { store, node, tracker } = setup();
    const link = join(node, 'var/log/containers', `web-7d9f_shop_nginx-${NGINX}.log`);
    rmSync(link);
    rmSync(join(node, 'var/log/pods', `shop_web-7d9f_${WEB}`), { recursive: true });
    const t0 = systemClock.nowMs();
    tracker.observe([NGINX_CGROUP], t0);
    expect(store.workloads.get(NGINX_CGROUP)).toMatchObject({ podUid: WEB, namespace: null, container: null });
    writeFileSync(link, 'started\n');
    tracker.observe([NGINX_CGROUP], t0 + 1_000);
    expect(store.workloads.get(NGINX_CGROUP)).toMatchObject({ container: null }); // not yet: once every 30 s
    tracker.observe([NGINX_CGROUP], t0 + 31_000);
    expect(store.workloads.get(NGINX_CGROUP)).toMatchObject({ namespace: 'shop', pod: 'web-7d9f', container: 'nginx' });
    rmSync(link);
    tracker.ensure(NGINX_CGROUP, t0 + 62_000);
    expect(store.workloads.get(NGINX_CGROUP)).toMatchObject({ container: 'nginx' });
  });
});
