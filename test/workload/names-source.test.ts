import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKLOAD_DEFAULTS } from '../../src/workload/config.js';
import { createNamesSource, type WorkloadRoots } from '../../src/workload/names-source.js';
import { parseCgroupPath } from '../../src/workload/parse-cgroup-path.js';
import {
  parseContainerLogName,
  parseDockerConfig,
  parsePodLogDirName,
  parsePodmanContainers,
} from '../../src/workload/parse-node-names.js';

const NODE = join(import.meta.dirname, '../fixtures/workload/node');
const roots: WorkloadRoots = {
  podLogsDir: join(NODE, 'var/log/pods'),
  containerLogsDir: join(NODE, 'var/log/containers'),
  dockerContainersDir: join(NODE, 'var/lib/docker/containers'),
  podmanStorageDirs: [join(NODE, 'var/lib/containers/storage')],
  passwdFile: join(NODE, 'etc/passwd'),
};
const source = createNamesSource(roots);
const namesOf = (path: string) => source.namesFor(parseCgroupPath(path));

const WEB = '0f3c2a9e-6b1d-4c5e-9a7f-2b8d1e4c6a3f';
const NGINX = '3f5e8c1d2b4a69788f0e1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382';
const SHIPPER = '9a8b7c6d5e4f30112233445566778899aabbccddeeff00112233445566778899';
const REPORT = 'c4d5e6f7-0819-4a2b-8c3d-4e5f60718293';
const LEGACY = '7e1d2c3b-4a59-4687-a8b9-c0d1e2f3a4b5';
const REDIS = 'd0c4e12f00112233445566778899aabbccddeeff00112233445566778899aabb';
const WORKER = 'b0d3a5e700112233445566778899aabbccddeeff00112233445566778899aabb';
const OTHER_ID = 'ee'.repeat(32);

describe('names from the node (fixture tree)', () => {
  it('a pod with two containers: namespace and pod from /var/log/pods, the container from its /var/log/containers link', () => {
    expect(namesOf(`/kubepods/burstable/pod${WEB}/${NGINX}`)).toMatchObject({ namespace: 'shop', pod: 'web-7d9f', container: 'nginx' });
    expect(
      namesOf(
        `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${WEB.replace(/-/g, '_')}.slice/cri-containerd-${SHIPPER}.scope`,
      ),
    ).toMatchObject({
      namespace: 'shop',
      pod: 'web-7d9f',
      container: 'log-shipper',
    });
  });

  it('an ID with no link in a pod of two containers names the pod, not a guessed container', () => {
    expect(namesOf(`/kubepods/burstable/pod${WEB}/${OTHER_ID}`)).toMatchObject({ namespace: 'shop', pod: 'web-7d9f', container: null });
  });

  it('a pod with one container names it from its log folder alone; the pod cgroup names no container', () => {
    expect(namesOf(`/kubepods/pod${REPORT}/${OTHER_ID}`)).toMatchObject({ namespace: 'batch', pod: 'report-28391', container: 'report' });
    expect(namesOf(`/kubepods/pod${REPORT}`)).toMatchObject({ namespace: 'batch', pod: 'report-28391', container: null });
  });

  it('the layout before Kubernetes 1.14 (/var/log/pods/<uid>/<container>_<n>.log) names the container only', () => {
    expect(namesOf(`/kubepods/besteffort/pod${LEGACY}/${OTHER_ID}`)).toMatchObject({ namespace: null, pod: null, container: 'legacy-app' });
  });

  it('Docker: name, image and Compose labels from config.v2.json', () => {
    expect(namesOf(`/system.slice/docker-${REDIS}.scope`)).toMatchObject({
      container: 'shop-redis-1',
      image: 'redis:7',
      composeProject: 'shop',
      composeService: 'redis',
    });
    expect(namesOf(`/docker/${REDIS}`)).toMatchObject({ container: 'shop-redis-1' });
  });

  it("Podman: name and image from the store's containers.json", () => {
    expect(namesOf(`/machine.slice/libpod-${WORKER}.scope`)).toMatchObject({
      container: 'reports-worker',
      image: 'quay.io/acme/worker:2.1',
    });
  });

  it('a login slice names its user', () => {
    expect(namesOf('/user.slice/user-1000.slice/session-4.scope')).toMatchObject({ userName: 'alice' });
  });

  it('a gone container, a missing root and an unknown kind give no names and no error', () => {
    expect(namesOf(`/docker/${OTHER_ID}`)).toMatchObject({ container: null, image: null });
    const none = createNamesSource({
      ...WORKLOAD_DEFAULTS,
      podLogsDir: join(NODE, 'nope'),
      containerLogsDir: join(NODE, 'nope'),
      passwdFile: join(NODE, 'nope'),
    });
    expect(none.namesFor(parseCgroupPath(`/kubepods/pod${REPORT}/${OTHER_ID}`))).toMatchObject({
      namespace: null,
      pod: null,
      container: null,
    });
    expect(namesOf('/system.slice/nginx.service')).toMatchObject({ namespace: null, container: null, userName: null });
  });
});

describe('parsers of node files', () => {
  it('pod log folders and container log links', () => {
    expect(parsePodLogDirName(`kube-system_coredns-5d78c9869d-x2x7q_${WEB}`)).toEqual({
      namespace: 'kube-system',
      pod: 'coredns-5d78c9869d-x2x7q',
      podUid: WEB,
    });
    expect(parsePodLogDirName(WEB)).toEqual({ namespace: null, pod: null, podUid: WEB });
    expect(parsePodLogDirName('not_a_pod')).toBeNull();
    expect(parseContainerLogName(`coredns-5d78c9869d-x2x7q_kube-system_coredns-${NGINX}.log`)).toEqual({
      pod: 'coredns-5d78c9869d-x2x7q',
      namespace: 'kube-system',
      container: 'coredns',
      containerId: NGINX,
    });
    expect(parseContainerLogName('random.log')).toBeNull();
  });

  it('malformed runtime files give null, not an exception', () => {
    expect(parseDockerConfig('{not json')).toBeNull();
    expect(parseDockerConfig('[]')).toEqual({});
    expect(parsePodmanContainers('{}', WORKER)).toBeNull();
    expect(parsePodmanContainers(`[{"id":"${WORKER}","names":["w"],"metadata":"{bad"}]`, WORKER)).toEqual({ container: 'w' });
  });

  it('a dockershim container carries its pod in labels', () => {
    const text = JSON.stringify({
      Name: '/k8s_app_web_shop_uid_0',
      Config: {
        Image: 'nginx',
        Labels: { 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.container.name': 'app' },
      },
    });
    expect(parseDockerConfig(text)).toEqual({ container: 'app', image: 'nginx', namespace: 'shop', pod: 'web' });
  });
});
