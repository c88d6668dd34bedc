/**
 * The manifest checker of test/deploy/k8s-schema.ts fails where it must: each test mutates a copy of a shipped
 * document the way manifests usually go wrong and expects exactly the problems that name the field, from the
 * check that catches it (schema: the generated validator; types: the TypeScript type-check; kind: the kind table).
 * Exactly those problems: the unchanged documents pass (test/deploy/kubernetes.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkManifests, formatProblem, kustomizationProblems, loadManifests, type Manifest, type Problem } from './k8s-schema.js';

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes');
const shipped = loadManifests(DIR);

type Obj = Record<string, any>;

/** A copy of the shipped document of `kind`, changed by `mutate`. */
function mutated(kind: string, mutate: (doc: Obj) => void): Manifest[] {
  const m = structuredClone(shipped.find((d) => d.doc.kind === kind)!);
  mutate(m.doc);
  return [m];
}

const problem = (check: Problem['check'], path: string, message: RegExp) =>
  expect.objectContaining({ check, path, message: expect.stringMatching(message) });

const POD = 'spec.template.spec';

describe('the manifest checker', () => {
  it('reports a misspelt pod-spec field (hostPid), which the API server would drop silently', () => {
    const docs = mutated('DaemonSet', (ds) => {
      delete ds.spec.template.spec.hostPID;
      ds.spec.template.spec.hostPid = true;
    });
    expect(checkManifests(docs)).toEqual([
      problem('types', `${POD}.hostPid`, /^unknown field 'hostPid', not in IPodSpec; did you mean 'hostPID'\?$/),
    ]);
  });

  it('reports a misspelt field deep in a container’s securityContext', () => {
    const docs = mutated('DaemonSet', (ds) => {
      const sc = ds.spec.template.spec.containers[0].securityContext;
      delete sc.readOnlyRootFilesystem;
      sc.readOnlyRootFileSystem = true;
    });
    expect(checkManifests(docs)).toEqual([
      problem(
        'types',
        `${POD}.containers[0].securityContext.readOnlyRootFileSystem`,
        /^unknown field 'readOnlyRootFileSystem', not in ISecurityContext; did you mean 'readOnlyRootFilesystem'\?$/,
      ),
    ]);
  });

  it('reports every misspelt field of a document at once, at any depth (the compiler alone names only one per literal)', () => {
    const docs = mutated('DaemonSet', (ds) => {
      ds.metadata.lables = ds.metadata.labels;
      ds.spec.template.spec.hostPid = true;
      ds.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
      ds.spec.template.spec.volumes[0].configMap.nmae = 'x';
    });
    expect(checkManifests(docs).map((p) => `${p.check} ${p.path}`)).toEqual([
      'types metadata.lables',
      `types ${POD}.containers[0].securityContext.readOnlyRootFileSystem`,
      `types ${POD}.volumes[0].configMap.nmae`,
      `types ${POD}.hostPid`,
    ]);
  });

  it('reports a value of the wrong type, in both checks', () => {
    const docs = mutated('DaemonSet', (ds) => {
      ds.spec.template.spec.containers[0].ports[0].containerPort = '9717x';
    });
    const path = `${POD}.containers[0].ports[0].containerPort`;
    expect(checkManifests(docs)).toEqual([
      problem('schema', path, /^must be integer$/),
      problem('types', path, /Type 'string' is not assignable to type 'number'/),
    ]);
  });

  it('reports a value outside an enum (hostPath type)', () => {
    const docs = mutated('DaemonSet', (ds) => {
      ds.spec.template.spec.volumes.find((v: Obj) => v.name === 'kmsg').hostPath.type = 'CharacterDevice';
    });
    const kmsg = shipped.find((d) => d.doc.kind === 'DaemonSet')!.doc.spec.template.spec.volumes.findIndex((v: Obj) => v.name === 'kmsg');
    const path = `${POD}.volumes[${kmsg}].hostPath.type`;
    expect(checkManifests(docs)).toEqual([
      problem('schema', path, /^must be equal to one of the allowed values \(.*CharDevice/),
      problem('types', path, /^Type '"CharacterDevice"' is not assignable to type '.*"CharDevice".*Did you mean '"CharDevice"'\?$/),
    ]);
  });

  it('reports a DaemonSet without spec.selector', () => {
    const docs = mutated('DaemonSet', (ds) => {
      delete ds.spec.selector;
    });
    expect(checkManifests(docs)).toEqual([
      problem('schema', 'spec.selector', /^required field is missing$/),
      problem('types', 'spec.selector', /^required field is missing \(IDaemonSetSpec\)$/),
    ]);
  });

  it('reports a container without a name', () => {
    const docs = mutated('DaemonSet', (ds) => {
      delete ds.spec.template.spec.containers[0].name;
    });
    expect(checkManifests(docs)).toEqual([
      problem('schema', `${POD}.containers[0].name`, /^required field is missing$/),
      problem('types', `${POD}.containers[0].name`, /^required field is missing \(IContainer\)$/),
    ]);
  });

  it('reports an unknown apiVersion or kind instead of skipping the document', () => {
    const misspelt = mutated('DaemonSet', (ds) => {
      ds.kind = 'Daemonset';
    });
    const removed = mutated('DaemonSet', (ds) => {
      ds.apiVersion = 'extensions/v1beta1';
    });
    expect(checkManifests([...misspelt, ...removed])).toEqual([
      problem('kind', 'apiVersion/kind', /^apps\/v1 Daemonset is not a kind this deployment knows/),
      problem('kind', 'apiVersion/kind', /^extensions\/v1beta1 DaemonSet is not a kind this deployment knows/),
    ]);
  });

  it('reports a misspelt field in the PodMonitor (podMetricsEndpoint)', () => {
    const docs = mutated('PodMonitor', (pm) => {
      pm.spec.podMetricsEndpoint = pm.spec.podMetricsEndpoints;
      delete pm.spec.podMetricsEndpoints;
    });
    expect(checkManifests(docs)).toEqual([
      problem('schema', 'spec.podMetricsEndpoints', /^required field is missing$/),
      problem(
        'types',
        'spec.podMetricsEndpoint',
        /^unknown field 'podMetricsEndpoint', not in its type; did you mean 'podMetricsEndpoints'\?$/,
      ),
    ]);
  });

  it('reports a misspelt field in a ServiceMonitor endpoint’s relabeling', () => {
    const docs = mutated('ServiceMonitor', (sm) => {
      const r = sm.spec.endpoints[0].relabelings[0];
      r.sourcelabels = r.sourceLabels;
      delete r.sourceLabels;
    });
    expect(checkManifests(docs)).toEqual([
      problem(
        'types',
        'spec.endpoints[0].relabelings[0].sourcelabels',
        /^unknown field 'sourcelabels', not in its type; did you mean 'sourceLabels'\?$/,
      ),
    ]);
  });

  it('names the file and the document of each problem', () => {
    const docs = mutated('DaemonSet', (ds) => {
      ds.spec.template.spec.containers[0].ports[0].containerPort = '9717x';
    });
    expect(checkManifests(docs).map(formatProblem)).toEqual([
      'daemonset.yaml DaemonSet/oomwatch spec.template.spec.containers[0].ports[0].containerPort: must be integer [schema]',
      "daemonset.yaml DaemonSet/oomwatch spec.template.spec.containers[0].ports[0].containerPort: Type 'string' is not assignable to type 'number'. [types]",
    ]);
  });
});

describe('the kustomization check', () => {
  const text = readFileSync(join(DIR, 'kustomization.yaml'), 'utf8');
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

  it('reports a listed resource that does not exist, a file the comment names that does not exist, and a file named nowhere', () => {
    expect(kustomizationProblems(text.replace('  - configmap.yaml', '  - config-map.yaml'), files)).toEqual([
      'kustomization.yaml: resource config-map.yaml does not exist; fix the name or add the file',
      'kustomization.yaml: configmap.yaml is neither a resource nor named in its comment; list it in one of the two',
    ]);
    expect(
      kustomizationProblems(
        text,
        files.filter((f) => f !== 'pod-monitor.yaml'),
      ),
    ).toEqual(['kustomization.yaml: its comment says to add pod-monitor.yaml, which does not exist']);
    expect(kustomizationProblems(text, [...files, 'rbac.yaml'])).toEqual([
      'kustomization.yaml: rbac.yaml is neither a resource nor named in its comment; list it in one of the two',
    ]);
  });
});
