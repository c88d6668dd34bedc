/**
 * Offline schema check of Kubernetes manifests, for tests. Two checks run on every document:
 * - schema: the model class's validate(), the validator that kubernetes-models generated from the Kubernetes
 *   v1.33.0 OpenAPI (kubernetes-models 4.5.1) or @kubernetes-models/prometheus-operator generated from the
 *   Prometheus Operator v0.65.1 CRDs (4.4.4): required fields, types, enums, formats. It accepts unknown fields,
 *   as the API server does (it drops them silently).
 * - types (test/deploy/k8s-type-check.ts): the document as an object literal of the kind's TypeScript type from
 *   the same packages, type-checked in memory in one Program: a field the type does not declare, at any depth, is
 *   an unknown field (a misspelt `hostPid`); wrong types and missing required fields are reported a second time.
 * A document whose apiVersion/kind is not in KINDS is a problem too, not a skip.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { typeProblems } from './k8s-type-check.js';

type Obj = Record<string, any>;

/** One YAML document of a manifest file. */
export interface Manifest {
  file: string;
  doc: Obj;
}

/** What a check found wrong in one document, at a field path such as `spec.template.spec.containers[0].name`. */
export interface Problem {
  file: string;
  /** `Kind/name` of the document. */
  document: string;
  path: string;
  check: 'kind' | 'schema' | 'types';
  message: string;
}

interface Kind {
  // any: each class takes its own kind's data; the documents passed in are what is being checked.
  model: new (data: any) => { validate(): void };
  /** The module and interface of its TypeScript type. */
  typeModule: string;
  typeName: string;
}

const PROMETHEUS_OPERATOR = '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

/** Every kind deploy/kubernetes/ may hold, by `apiVersion kind`. */
export const KINDS: Record<string, Kind> = {
  'v1 Namespace': { model: Namespace, typeModule: 'kubernetes-models/v1/Namespace', typeName: 'INamespace' },
  'v1 ConfigMap': { model: ConfigMap, typeModule: 'kubernetes-models/v1/ConfigMap', typeName: 'IConfigMap' },
  'v1 ServiceAccount': { model: ServiceAccount, typeModule: 'kubernetes-models/v1/ServiceAccount', typeName: 'IServiceAccount' },
  'v1 Service': { model: Service, typeModule: 'kubernetes-models/v1/Service', typeName: 'IService' },
  'apps/v1 DaemonSet': { model: DaemonSet, typeModule: 'kubernetes-models/apps/v1/DaemonSet', typeName: 'IDaemonSet' },
  'monitoring.coreos.com/v1 PodMonitor': { model: PodMonitor, typeModule: `${PROMETHEUS_OPERATOR}/PodMonitor`, typeName: 'IPodMonitor' },
  'monitoring.coreos.com/v1 ServiceMonitor': {
    model: ServiceMonitor,
    typeModule: `${PROMETHEUS_OPERATOR}/ServiceMonitor`,
    typeName: 'IServiceMonitor',
  },
  'monitoring.coreos.com/v1 PrometheusRule': {
    model: PrometheusRule,
    typeModule: `${PROMETHEUS_OPERATOR}/PrometheusRule`,
    typeName: 'IPrometheusRule',
  },
};

const kindOf = (doc: Obj): Kind | undefined => KINDS[`${doc.apiVersion} ${doc.kind}`];
const documentName = (doc: Obj) => `${doc.kind}/${doc.metadata?.name ?? '?'}`;

export function formatProblem(p: Problem): string {
  return `${p.file} ${p.document} ${p.path || '(document)'}: ${p.message} [${p.check}]`;
}

/** The documents of every .yaml file in `dir` but kustomization.yaml. */
export function loadManifests(dir: string): Manifest[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => {
        if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
        return { file, doc: d.toJS() as Obj };
      }),
    );
}

/** Both checks on every document, and an unknown apiVersion/kind as a problem of its own. */
export function checkManifests(manifests: Manifest[]): Problem[] {
  const unknown: Problem[] = manifests
    .filter((m) => !kindOf(m.doc))
    .map((m) => ({
      file: m.file,
      document: documentName(m.doc),
      path: 'apiVersion/kind',
      check: 'kind',
      message: `${m.doc.apiVersion} ${m.doc.kind} is not a kind this deployment knows; fix the spelling or add it to KINDS in test/deploy/k8s-schema.ts`,
    }));
  const known = manifests.filter((m) => kindOf(m.doc));
  const typed = typeProblems(known.map(({ doc }) => ({ doc, ...kindOf(doc)! }))).map(({ index, path, message }): Problem => ({
    file: known[index].file,
    document: documentName(known[index].doc),
    path,
    check: 'types',
    message,
  }));
  return [...unknown, ...schemaProblems(known), ...typed];
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Obj;
  message?: string;
}

/** `/spec/containers/0/name` → `spec.containers[0].name` */
function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '');
}

/** The generated runtime validator of each document's kind. */
function schemaProblems(manifests: Manifest[]): Problem[] {
  return manifests.flatMap(({ file, doc }) => {
    try {
      new (kindOf(doc)!.model)(structuredClone(doc)).validate();
      return [];
    } catch (e) {
      const errors = (e as { errors?: AjvError[] }).errors;
      if (!errors) throw e;
      return errors.map((err): Problem => {
        const missing = err.keyword === 'required' ? String(err.params.missingProperty) : undefined;
        const path = dottedPath(err.instancePath);
        return {
          file,
          document: documentName(doc),
          path: missing ? (path ? `${path}.${missing}` : missing) : path,
          check: 'schema',
          message: missing
            ? 'required field is missing'
            : `${err.message ?? err.keyword}${err.params.allowedValues ? ` (${err.params.allowedValues.join(', ')})` : ''}`,
        };
      });
    }
  });
}

/**
 * kustomization.yaml (its text, and the .yaml files beside it): every resource it lists exists, and so does every
 * file its comment tells to add; every other manifest in the folder is one of the two.
 */
export function kustomizationProblems(text: string, files: string[]): string[] {
  const k = parse(text) as Obj;
  const problems: string[] = [];
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') {
    problems.push(`kustomization.yaml: apiVersion/kind ${k.apiVersion} ${k.kind}, expected kustomize.config.k8s.io/v1beta1 Kustomization`);
  }
  const resources: string[] = Array.isArray(k.resources) ? k.resources : [];
  const comment = text
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .join('\n');
  const toAdd = [...new Set([...comment.matchAll(/[\w.-]+\.yaml\b/g)].map((m) => m[0]))];
  for (const r of resources)
    if (!files.includes(r)) problems.push(`kustomization.yaml: resource ${r} does not exist; fix the name or add the file`);
  for (const f of toAdd) if (!files.includes(f)) problems.push(`kustomization.yaml: its comment says to add ${f}, which does not exist`);
  for (const f of files.filter((f) => f !== 'kustomization.yaml')) {
    if (!resources.includes(f) && !toAdd.includes(f)) {
      problems.push(`kustomization.yaml: ${f} is neither a resource nor named in its comment; list it in one of the two`);
    }
  }
  return problems;
}
