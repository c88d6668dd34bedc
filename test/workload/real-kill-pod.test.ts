/**
 * Real OOM kills in memory cgroups made at Kubernetes-shaped paths (cgroupfs driver Burstable and Guaranteed, systemd
 * driver with a cri-containerd scope), read from the real /dev/kmsg: the incident and the oom-kill alert name the
 * pod UID, the container ID and the QoS class from the path, and the namespace, pod and container from a
 * /var/log/pods fixture root given through the config. The first pod's logs are deleted before its kill: it was
 * named when the real sampler first saw its cgroup. CI (CI=true, root) must run it. Real clock throughout.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlertEngine } from '../../src/alerts/engine.js';
import { incidentFromView } from '../../src/alerts/module.js';
import { systemClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import type { IncidentView } from '../../src/model/incident.js';
import { createKernelWatcher } from '../../src/kernel/watcher.js';
import { silentLogger } from '../../src/log.js';
import type { NotificationDraft } from '../../src/model/notification.js';
import { createSampler } from '../../src/sample/host.js';
import { openDatabase } from '../../src/store/db.js';
import { openStore } from '../../src/store/store.js';
import { cgroupPathsOf } from '../../src/workload/agent-module.js';
import { createNamesSource } from '../../src/workload/names-source.js';
import { createWorkloadTracker } from '../../src/workload/tracker.js';
import { memoryCgroupSupport, runHogInCgroup } from '../helpers/oom-cgroup.js';
import { createPodCgroup } from '../helpers/pod-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';

const support = memoryCgroupSupport();
const missing = !support.ok ? support.reason : !existsSync('/dev/kmsg') ? '/dev/kmsg does not exist' : null;
const inCi = process.env.CI === 'true';
const tmp = makeTempDir('oomwatch-pod-kill-');
afterAll(() => tmp.cleanup());

const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const newUid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

interface Case {
  name: string;
  path: (uid: string, cid: string) => string;
  qos: 'burstable' | 'guaranteed';
  runtime: string | null;
  /** The pod's logs are removed before the kill: named from what the sampler stored. */
  goneBeforeKill: boolean;
}

const CASES: Case[] = [
  {
    name: 'cgroupfs driver, Burstable, logs gone before the kill',
    path: (u, c) => `kubepods/burstable/pod${u}/${c}`,
    qos: 'burstable',
    runtime: null,
    goneBeforeKill: true,
  },
  { name: 'cgroupfs driver, Guaranteed', path: (u, c) => `kubepods/pod${u}/${c}`, qos: 'guaranteed', runtime: null, goneBeforeKill: false },
  {
    name: 'systemd driver, Burstable, containerd',
    path: (u, c) => `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u.replace(/-/g, '_')}.slice/cri-containerd-${c}.scope`,
    qos: 'burstable',
    runtime: 'cri-containerd',
    goneBeforeKill: false,
  },
];

describe('a real OOM kill in a Kubernetes-shaped memory cgroup', () => {
  it.runIf(inCi && missing !== null)('CI must be able to run the real kills', () => {
    expect.fail(`CI=true but the real OOM kill cannot run: ${missing}`);
  });

  it.skipIf(missing !== null)(
    `names the pod, container and QoS in the incident and the alert${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const podLogs = join(tmp.dir, 'var/log/pods');
      const v = validateConfig({
        workload: {
          podLogsDir: podLogs,
          containerLogsDir: join(tmp.dir, 'var/log/containers'),
          dockerContainersDir: join(tmp.dir, 'none'),
          podmanStorageDirs: [],
          passwdFile: join(tmp.dir, 'none'),
        },
        channels: { ops: { type: 'console' } },
        alerting: { groupWait: '0s', groupInterval: '0s' },
      });
      if (!v.ok) throw new Error(v.errors.join('\n'));
      const config = v.config;
      const store = openStore(join(tmp.dir, 'oomwatch.db'));
      const tracker = createWorkloadTracker({ repo: store.workloads, names: createNamesSource(config.workload), log: silentLogger() });
      const seen: IncidentView[] = [];
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const watcher = createKernelWatcher({
        store,
        log: silentLogger(),
        clock: systemClock,
        kmsgPath: '/dev/kmsg',
        bootId,
        hostname: hostname(),
        onIncident: (i) => seen.push(i),
        ensureWorkload: (p) => tracker.ensure(p, systemClock.nowMs()),
      });
      const engine = createAlertEngine({ store, log: silentLogger(), config, hostname: hostname() });
      const { sampler } = createSampler({ procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', refreshEveryMs: 60_000 });
      const removers: (() => Promise<void>)[] = [];
      try {
        watcher.start();
        for (const c of CASES) {
          const uid = newUid();
          const cid = hex(64);
          const ns = 'shop';
          const pod = `web-${hex(5)}`;
          const podDir = join(podLogs, `${ns}_${pod}_${uid}`);
          mkdirSync(join(podDir, 'app'), { recursive: true });
          writeFileSync(join(podDir, 'app', '0.log'), 'started\n');
          const made = createPodCgroup(c.path(uid, cid), 64 * 1024 * 1024);
          removers.push(made.remove);
          const cgroupPath = made.cg.cgroupPath;

          // The container's first process; a tick of the real sampler lists its cgroup, the tracker stores the workload.
          const first = spawn('sleep', ['60'], { stdio: 'ignore' });
          try {
            writeFileSync(join(made.cg.dir, 'cgroup.procs'), String(first.pid));
            tracker.observe(cgroupPathsOf(sampler.takeSnapshot(systemClock.nowMs())), systemClock.nowMs());
          } finally {
            first.kill('SIGKILL');
          }
          expect(store.workloads.get(cgroupPath), c.name).toMatchObject({ podUid: uid, namespace: ns, pod, container: 'app' });
          if (c.goneBeforeKill) rmSync(podDir, { recursive: true });

          const hog = await runHogInCgroup(made.cg, { comm: 'oomwatch-pod' });
          expect((await hog.exited).signal, c.name).toBe('SIGKILL');
          const mine = (i: IncidentView) => i.victim?.pid === hog.pid && i.taskMemcg === cgroupPath;
          const inc = await until(() => seen.find(mine));

          const expected = {
            kind: 'k8s-pod',
            podUid: uid,
            containerId: cid,
            qos: c.qos,
            runtime: c.runtime,
            namespace: ns,
            pod,
            container: 'app',
          };
          expect(inc, c.name).toMatchObject({ constraint: 'memcg', oomMemcg: cgroupPath, workload: expected });
          if (c.runtime) expect(inc.workload!.unit).toBe(`cri-containerd-${cid}.scope`);

          // The oom-kill alert, as the alerts module raises it for a stored incident.
          engine.onTick(
            {
              snapshot: null,
              incidents: [incidentFromView(inc, systemClock.nowMs())!],
              health: { samplerStalled: false, brokenChannels: [] },
              dataFresh: true,
              isProtected: () => false,
            },
            systemClock.nowMs(),
          );
          const raw = openDatabase(store.path, { readonly: true });
          const drafts = (raw.prepare('SELECT payload_json FROM outbox ORDER BY id').all() as { payload_json: string }[]).map(
            (r) => JSON.parse(r.payload_json) as NotificationDraft,
          );
          raw.close();
          const alert = drafts.flatMap((d) => d.alerts).find((a) => a.ruleKind === 'oom-kill' && a.labels.pod === pod);
          expect(alert, `${c.name}: no oom-kill alert naming pod ${pod}`).toBeDefined();
          expect(alert!.labels).toMatchObject({ namespace: ns, pod, container: 'app', qos: c.qos, workload: 'k8s-pod' });
          expect(alert!.labels).not.toHaveProperty('pid');
          expect(alert!.summary).toContain(`in pod ${ns}/${pod} container app (${c.qos === 'burstable' ? 'Burstable' : 'Guaranteed'})`);
          expect(alert!.details).toEqual(expect.arrayContaining([{ label: 'ids', value: `pod ${uid}, container ${cid}` }]));
        }
      } finally {
        await watcher.stop();
        for (const r of removers.reverse()) await r();
        store.close();
      }
    },
  );
});
