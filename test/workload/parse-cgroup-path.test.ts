import { describe, expect, it } from 'vitest';
import { parseCgroupPath } from '../../src/workload/parse-cgroup-path.js';

const UID = '0f3c2a9e-6b1d-4c5e-9a7f-2b8d1e4c6a3f';
const UID_ = UID.replace(/-/g, '_');
const CID = '3f5e8c1d2b4a69788f0e1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a49382';

describe('parseCgroupPath: Kubernetes, cgroupfs driver (v1 and v2 paths alike)', () => {
  it.each([
    ['burstable', `/kubepods/burstable/pod${UID}/${CID}`, 'burstable'],
    ['besteffort', `/kubepods/besteffort/pod${UID}/${CID}`, 'besteffort'],
    ['Guaranteed (no QoS parent)', `/kubepods/pod${UID}/${CID}`, 'guaranteed'],
  ])('%s', (_name, path, qos) => {
    expect(parseCgroupPath(path)).toEqual({
      kind: 'k8s-pod',
      runtime: null,
      podUid: UID,
      qos,
      containerId: CID,
      unit: null,
      userUid: null,
    });
  });

  it('CRI-O under cgroupfs names the container crio-<id>', () => {
    expect(parseCgroupPath(`/kubepods/burstable/pod${UID}/crio-${CID}`)).toMatchObject({
      kind: 'k8s-pod',
      runtime: 'crio',
      containerId: CID,
      qos: 'burstable',
    });
  });

  it('the pod cgroup itself names the pod and no container', () => {
    expect(parseCgroupPath(`/kubepods/burstable/pod${UID}`)).toMatchObject({
      kind: 'k8s-pod',
      podUid: UID,
      qos: 'burstable',
      containerId: null,
    });
    expect(parseCgroupPath(`/kubepods/pod${UID}`)).toMatchObject({ kind: 'k8s-pod', podUid: UID, qos: 'guaranteed', containerId: null });
  });

  it('a nested hierarchy (a node in a container: kind, nested v1) is still a pod', () => {
    expect(parseCgroupPath(`/docker/${'a'.repeat(64)}/kubepods/besteffort/pod${UID}/${CID}`)).toMatchObject({
      kind: 'k8s-pod',
      podUid: UID,
      qos: 'besteffort',
      containerId: CID,
    });
  });

  it('the QoS parents and kubepods alone are no pod', () => {
    expect(parseCgroupPath('/kubepods')).toMatchObject({ kind: 'other', podUid: null });
    expect(parseCgroupPath('/kubepods/burstable')).toMatchObject({ kind: 'other', podUid: null });
  });
});

describe('parseCgroupPath: Kubernetes, systemd driver', () => {
  it.each([
    ['containerd, Burstable', 'burstable', 'cri-containerd'],
    ['containerd, BestEffort', 'besteffort', 'cri-containerd'],
    ['CRI-O, Burstable', 'burstable', 'crio'],
    ['dockershim / cri-dockerd, BestEffort', 'besteffort', 'docker'],
  ] as const)('%s', (_name, qos, rt) => {
    const scope = `${rt}-${CID}.scope`;
    const path = `/kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${UID_}.slice/${scope}`;
    expect(parseCgroupPath(path)).toEqual({ kind: 'k8s-pod', runtime: rt, podUid: UID, qos, containerId: CID, unit: scope, userUid: null });
  });

  it.each(['cri-containerd', 'crio', 'docker'] as const)('Guaranteed with %s', (rt) => {
    const path = `/kubepods.slice/kubepods-pod${UID_}.slice/${rt}-${CID}.scope`;
    expect(parseCgroupPath(path)).toEqual({
      kind: 'k8s-pod',
      runtime: rt,
      podUid: UID,
      qos: 'guaranteed',
      containerId: CID,
      unit: `${rt}-${CID}.scope`,
      userUid: null,
    });
  });

  it("crio-conmon-<id>.scope is CRI-O's monitor: the pod, no container", () => {
    const path = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-conmon-${CID}.scope`;
    expect(parseCgroupPath(path)).toEqual({
      kind: 'k8s-pod',
      runtime: 'crio',
      podUid: UID,
      qos: 'burstable',
      containerId: null,
      unit: `crio-conmon-${CID}.scope`,
      userUid: null,
    });
  });

  it('the pod slice names the pod and its slice as the unit', () => {
    const path = `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice`;
    expect(parseCgroupPath(path)).toEqual({
      kind: 'k8s-pod',
      runtime: null,
      podUid: UID,
      qos: 'besteffort',
      containerId: null,
      unit: `kubepods-besteffort-pod${UID_}.slice`,
      userUid: null,
    });
  });

  it('a malformed pod UID is not taken for one', () => {
    expect(parseCgroupPath('/kubepods.slice/kubepods-podxyz.slice/cri-containerd-abc.scope').kind).not.toBe('k8s-pod');
  });
});

describe('parseCgroupPath: Docker and Podman', () => {
  it('Docker, cgroupfs and systemd drivers', () => {
    expect(parseCgroupPath(`/docker/${CID}`)).toEqual({
      kind: 'docker',
      runtime: 'docker',
      podUid: null,
      qos: null,
      containerId: CID,
      unit: null,
      userUid: null,
    });
    expect(parseCgroupPath(`/system.slice/docker-${CID}.scope`)).toEqual({
      kind: 'docker',
      runtime: 'docker',
      podUid: null,
      qos: null,
      containerId: CID,
      unit: `docker-${CID}.scope`,
      userUid: null,
    });
  });

  it('Podman: system, rootless, cgroupfs, with the init sub-cgroup, and its conmon monitor', () => {
    expect(parseCgroupPath(`/machine.slice/libpod-${CID}.scope`)).toMatchObject({
      kind: 'podman',
      runtime: 'podman',
      containerId: CID,
      unit: `libpod-${CID}.scope`,
    });
    expect(parseCgroupPath(`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${CID}.scope`)).toMatchObject({
      kind: 'podman',
      containerId: CID,
      userUid: 1000,
    });
    expect(parseCgroupPath(`/libpod_parent/libpod-${CID}`)).toMatchObject({ kind: 'podman', containerId: CID, unit: null });
    expect(parseCgroupPath(`/machine.slice/libpod-${CID}.scope/container`)).toMatchObject({ kind: 'podman', containerId: CID });
    expect(parseCgroupPath(`/machine.slice/libpod-conmon-${CID}.scope`)).toMatchObject({ kind: 'podman', containerId: null });
  });
});

describe('parseCgroupPath: systemd units, slices and login sessions', () => {
  it('a service, a scope, a user service, a login session, a slice', () => {
    expect(parseCgroupPath('/system.slice/nginx.service')).toEqual({
      kind: 'systemd-unit',
      runtime: null,
      podUid: null,
      qos: null,
      containerId: null,
      unit: 'nginx.service',
      userUid: null,
    });
    expect(parseCgroupPath('/system.slice/run-r1b2.scope')).toMatchObject({ kind: 'systemd-unit', unit: 'run-r1b2.scope' });
    expect(parseCgroupPath('/user.slice/user-1000.slice/user@1000.service/app.slice/postgresql.service')).toMatchObject({
      kind: 'systemd-unit',
      unit: 'postgresql.service',
      userUid: 1000,
    });
    expect(parseCgroupPath('/user.slice/user-1000.slice/session-3.scope')).toMatchObject({
      kind: 'user-session',
      unit: 'session-3.scope',
      userUid: 1000,
    });
    expect(parseCgroupPath('/user.slice/user-1001.slice')).toMatchObject({ kind: 'slice', unit: 'user-1001.slice', userUid: 1001 });
    expect(parseCgroupPath('/system.slice')).toMatchObject({ kind: 'slice', unit: 'system.slice' });
  });

  it('the root and an unknown path are "other", never an error', () => {
    expect(parseCgroupPath('/')).toEqual({
      kind: 'other',
      runtime: null,
      podUid: null,
      qos: null,
      containerId: null,
      unit: null,
      userUid: null,
    });
    expect(parseCgroupPath('/oomwatch-test-1')).toMatchObject({ kind: 'other' });
    expect(parseCgroupPath('')).toMatchObject({ kind: 'other' });
  });
});
