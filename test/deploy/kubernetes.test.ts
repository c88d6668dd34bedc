/**
 * deploy/kubernetes/ checked without a cluster.
 * - The Kubernetes API's rules (test/deploy/k8s-schema.ts): every document is a kind we know, passes the validator
 *   generated from the Kubernetes v1.33.0 OpenAPI schemas (kubernetes-models 4.5.1) or the Prometheus Operator
 *   v0.65.1 CRD schemas (@kubernetes-models/prometheus-operator 4.4.4) — required fields, types, enums — and
 *   type-checks against the TypeScript types generated from the same schemas, which rejects a misspelt field at
 *   any depth (the API server drops it silently). kustomization.yaml lists files that exist.
 * - What no schema expresses, below: the pieces agree with each other and with the agent (selectors match the
 *   pod labels, named ports, mounts and volumes, the ConfigMap's config passes the agent's own validator, the
 *   rights the agent needs, resources sized from its measured figures, the PrometheusRule equal to the rules file).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/validate.js';
import { checkManifests, formatProblem, KINDS, kustomizationProblems, loadManifests } from './k8s-schema.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'deploy', 'kubernetes');

type Obj = Record<string, any>;

const docs = loadManifests(DIR);
const find = (kind: string, name = 'oomwatch') => docs.find((d) => d.doc.kind === kind && d.doc.metadata.name === name)?.doc as Obj;

/** Kubernetes memory quantity (Mi, Gi, M, G, plain bytes) in bytes. */
function bytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(q);
  if (!m) throw new Error(`not a memory quantity: ${q}`);
  const unit: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * unit[m[2] ?? ''];
}

const ds = find('DaemonSet');
const pod = ds.spec.template.spec as Obj;
const container = pod.containers[0] as Obj;
const mountOf = (path: string) => (container.volumeMounts as Obj[]).find((m) => m.mountPath === path);
const volumeOf = (name: string) => (pod.volumes as Obj[]).find((v) => v.name === name) as Obj;

describe('deploy/kubernetes', () => {
  it('passes the Kubernetes and Prometheus Operator schemas and their TypeScript types: no unknown kind, no missing or misspelt field', () => {
    expect(checkManifests(docs).map(formatProblem)).toEqual([]);
    // Every kind the checker knows is shipped (and so checked); each object is named as the API requires, in one namespace.
    expect(new Set(docs.map(({ doc }) => `${doc.apiVersion} ${doc.kind}`))).toEqual(new Set(Object.keys(KINDS)));
    for (const { file, doc } of docs) {
      expect(doc.metadata.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace, `${file}: ${doc.kind}`).toBe('oomwatch');
    }
  });

  it('has a kustomization whose resources exist, and the files its comment says to add', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
    expect(kustomizationProblems(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'), files)).toEqual([]);
  });

  it('selects its own pods, and every mount and probe names a volume or port that exists', () => {
    expect(ds.spec.template.metadata.labels).toMatchObject(ds.spec.selector.matchLabels);
    for (const m of container.volumeMounts as Obj[]) expect(volumeOf(m.name), m.name).toBeDefined();
    const ports = (container.ports as Obj[]).map((p) => p.name);
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) expect(p.length, p).toBeLessThanOrEqual(15); // IANA_SVC_NAME
    expect(ports).toContain(container.livenessProbe.httpGet.port);
    expect(ports).toContain(container.readinessProbe.httpGet.port);
  });

  it('sees the whole node: host PID namespace, host cgroup namespace and tree read-only, pod logs read-only, /dev/kmsg', () => {
    expect(pod).toMatchObject({
      hostPID: true,
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      automountServiceAccountToken: false,
    });
    // Only a privileged container shares the node's cgroup namespace on cgroup v2 (containerd, CRI-O).
    expect(container.securityContext).toMatchObject({ privileged: true, runAsUser: 0, readOnlyRootFilesystem: true });
    expect(mountOf('/host/sys/fs/cgroup')).toMatchObject({ readOnly: true });
    expect(volumeOf(mountOf('/host/sys/fs/cgroup')!.name).hostPath).toEqual({ path: '/sys/fs/cgroup', type: 'Directory' });
    expect(mountOf('/var/log/pods')).toMatchObject({ readOnly: true });
    expect(volumeOf(mountOf('/var/log/pods')!.name).hostPath.path).toBe('/var/log/pods');
    expect(volumeOf(mountOf('/dev/kmsg')!.name).hostPath).toEqual({ path: '/dev/kmsg', type: 'CharDevice' });
    expect(mountOf('/var/lib/oomwatch')).not.toHaveProperty('readOnly', true);
    expect(volumeOf(mountOf('/var/lib/oomwatch')!.name).hostPath).toEqual({ path: '/var/lib/oomwatch', type: 'DirectoryOrCreate' });
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('is Guaranteed (requests equal limits, so the kubelet sets oom_score_adj -997) with room above the measured peak', () => {
    const { requests, limits } = container.resources;
    expect(requests).toEqual(limits);
    // docs/install.md: peak RSS 153 MiB with 8,000 processes; the V8 heap limit in the image stays below the limit.
    expect(bytes(limits.memory)).toBeGreaterThanOrEqual(1.5 * 153 * 1024 ** 2);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(dockerfile)![1]);
    expect(heapMiB * 1024 ** 2).toBeLessThan(bytes(limits.memory) / 1.5);
  });

  it('runs the agent with the config from the ConfigMap, which the agent’s own validator accepts', () => {
    const configEnv = (container.env as Obj[]).find((e) => e.name === 'OOMWATCH_CONFIG')!.value as string;
    const mount = mountOf(configEnv.slice(0, configEnv.lastIndexOf('/')))!;
    expect(mount).toMatchObject({ readOnly: true });
    const cm = find('ConfigMap', volumeOf(mount.name).configMap.name);
    const text = cm.data[configEnv.slice(configEnv.lastIndexOf('/') + 1)] as string;
    const r = validateConfig(parse(text));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    // The one warning is the expected one (docs/kubernetes.md: allow only Prometheus to reach the port).
    expect(r.warnings).toEqual([expect.stringMatching(/^metrics\.listen: 0\.0\.0\.0:9717 accepts connections from other hosts/)]);
    // The cgroup tree the agent reads is the one mounted from the host; metrics listen on the named port.
    expect(mountOf(r.config.sample.cgroupRoot)).toBeDefined();
    expect(r.config.metrics.enabled).toBe(true);
    const metricsPort = (container.ports as Obj[]).find((p) => p.name === 'metrics')!.containerPort;
    expect(r.config.metrics.listen).toEqual({ host: '0.0.0.0', port: metricsPort });
  });

  it('has a PodMonitor and a ServiceMonitor that find the agent pods’ metrics port, with job="oomwatch" for the rules and the node as host', () => {
    const podLabels = ds.spec.template.metadata.labels;
    const pm = find('PodMonitor');
    expect(podLabels).toMatchObject(pm.spec.selector.matchLabels);
    expect(pm.spec.podMetricsEndpoints[0].port).toBe('metrics');
    expect(podLabels[pm.spec.jobLabel]).toBe('oomwatch');
    const svc = find('Service');
    expect(podLabels).toMatchObject(svc.spec.selector);
    expect(svc.spec.ports[0].targetPort).toBe('metrics');
    const sm = find('ServiceMonitor');
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(svc.spec.ports.map((p: Obj) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(svc.metadata.labels[sm.spec.jobLabel]).toBe('oomwatch');
    // `host` is the node's name, the agent's host name on the host network: fleet report joins metrics and incidents on it.
    expect(ds.spec.template.spec.hostNetwork).toBe(true);
    for (const relabelings of [pm.spec.podMetricsEndpoints[0].relabelings, sm.spec.endpoints[0].relabelings]) {
      expect(relabelings).toContainEqual({ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'host' });
    }
  });

  it('ships the same rule groups as deploy/prometheus/oomwatch.rules.yml in its PrometheusRule', () => {
    const rules = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'oomwatch.rules.yml'), 'utf8'));
    expect(find('PrometheusRule').spec).toEqual(rules);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages = [...text.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m) => ({ image: m[1], name: m[2] }));

  it('builds on Node.js 20 in two stages and runs the packed program, not the build tree', () => {
    expect(stages).toHaveLength(2);
    for (const s of stages) expect(s.image).toMatch(/^node:20-/);
    expect(stages[0].name).toBe('build');
    const runStage = text.slice(text.lastIndexOf('\nFROM '));
    expect(runStage).toContain('COPY --from=build /opt/oomwatch /opt/oomwatch');
    expect(runStage).not.toMatch(/^COPY (?!--from)/m);
    expect(text).toMatch(/npm ci --omit=dev/);
  });

  it('starts the package’s bin with the agent’s node flags, and exposes the DaemonSet’s metrics port', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(text).toContain(`ln -s /opt/oomwatch/${pkg.bin.oomwatch} /usr/local/bin/oomwatch`);
    expect(text).toMatch(/^ENTRYPOINT \["oomwatch"\]$/m);
    expect(text).toMatch(/^CMD \["run"\]$/m);
    const { AGENT_NODE_FLAGS, AGENT_ENV } = await import('../../src/agent/node-runtime.js');
    const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(text)![1].split(' ');
    expect(nodeOptions).toEqual(expect.arrayContaining([...AGENT_NODE_FLAGS]));
    for (const [k, v] of Object.entries(AGENT_ENV)) expect(text).toContain(`${k}=${v}`);
    const port = (container.ports as Obj[]).find((p) => p.name === 'metrics')!.containerPort;
    expect(text).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
  });

  it('copies every file npm pack needs, and the build context leaves out local builds and dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const copied = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    const needed = new Set(pkg.files.filter((f) => !f.startsWith('!') && !f.startsWith('dist/')).map((f) => f.split('/')[0]));
    for (const f of ['src', 'scripts', 'tsconfig.json', 'package.json', 'package-lock.json']) needed.add(f);
    expect([...needed].filter((f) => !copied.includes(f))).toEqual([]);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data']));
  });
});
