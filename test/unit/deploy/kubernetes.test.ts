import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/dockerfile';
import { schemaOf } from './k8s-schemas';
import { unknownFieldProblems } from './k8s-strict';
import { manifestProblems } from './manifest-checks';
import { findKubectl, overlays, render, type K8sObject } from './render';

/**
 * kustomize wraps a Secret's base64 values every 70 characters; the API server's decoder (Go's
 * encoding/base64) skips line breaks, the schema's "byte" format does not: read them as the API does.
 */
function asDecoded(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) return object;
  const data = Object.entries(object.data).map(([k, v]) => [
    k,
    typeof v === 'string' ? v.replace(/\n/g, '') : v,
  ]);
  return { ...object, data: Object.fromEntries(data) };
}

/** Schema problems and unknown fields of a set of rendered objects (every object needs a schema). */
function schemaProblems(rendered: K8sObject[]): string[] {
  const objects = rendered.map(asDecoded);
  const known: Parameters<typeof unknownFieldProblems>[0] = [];
  const problems: string[] = [];
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata.name}`;
    const schema = schemaOf(object.apiVersion, object.kind);
    if (!schema) {
      problems.push(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    problems.push(...schema.validate(object).map((p) => `${name}: ${p}`));
    known.push({ schema, object, name });
  }
  return [...problems, ...unknownFieldProblems(known)];
}

const copy = (objects: K8sObject[]): K8sObject[] => JSON.parse(JSON.stringify(objects)) as K8sObject[];
type Json = Record<string, unknown>;
/** The first container of the named workload, for mutations. */
function container(objects: K8sObject[], kind: string, name: string): Json {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name) as unknown as {
    spec: { template: { spec: { containers: Json[] } } };
  };
  return o.spec.template.spec.containers[0]!;
}

const kubectl = findKubectl();
if (!kubectl) {
  // .ci/run installs kubectl; elsewhere say loudly why these checks did not run.
  const reason = 'kubectl not found (PATH or .cache/bin): the Kubernetes manifest checks need it';
  if (process.env.CI) throw new Error(`${reason}; .ci/run should have installed it`);
  process.stderr.write(`\n*** SKIPPED: ${reason} ***\n\n`);
}
const describeWithKubectl = kubectl ? describe : describe.skip;

describeWithKubectl('k8s/ manifests, offline (kubectl kustomize + the Kubernetes API schemas)', () => {
  const rendered = new Map(overlays().map((o) => [o, render(kubectl!, o)]));

  it('has the dev and prod overlays', () => {
    expect([...rendered.keys()]).toEqual(['dev', 'prod']);
  });

  it.each(overlays())('renders overlay %s into objects that all conform to their schemas', (overlay) => {
    const objects = rendered.get(overlay)!;
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining([
        'StatefulSet',
        'Deployment',
        'Service',
        'PodDisruptionBudget',
        'NetworkPolicy',
      ]),
    );
    expect(schemaProblems(objects)).toEqual([]);
    expect(manifestProblems(objects)).toEqual([]);
  });

  it('prod carries the optional ServiceMonitor, dev does not', () => {
    expect(rendered.get('prod')!.some((o) => o.kind === 'ServiceMonitor')).toBe(true);
    expect(rendered.get('dev')!.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });

  describe('each check rejects a deliberate mistake', () => {
    const base = (): K8sObject[] => copy(rendered.get('prod')!);

    it('a misspelt field (readinesProbe): unknown to the API, though the compiled schema lets it pass', () => {
      const objects = base();
      const c = container(objects, 'StatefulSet', 'twinfold');
      c.readinesProbe = c.readinessProbe;
      delete c.readinessProbe;
      const set = objects.find((o) => o.kind === 'StatefulSet')!;
      expect(schemaOf(set.apiVersion, set.kind)!.validate(set)).toEqual([]); // why the TS check exists
      const problems = schemaProblems(objects);
      expect(problems.join('\n')).toMatch(/StatefulSet\/twinfold: .*'"readinesProbe"' does not exist/);
      expect(manifestProblems(objects)).toContain('readiness probe is not /readyz');
    });

    it('a misspelt field deep down (containerPrt) and a misspelt top-level one (sepc)', () => {
      const objects = base();
      const ports = container(objects, 'Deployment', 'twinfold-bridge').ports as Json[];
      ports[0]!.containerPrt = ports[0]!.containerPort;
      delete ports[0]!.containerPort;
      const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget')!;
      pdb.sepc = pdb.spec;
      delete pdb.spec;
      const problems = schemaProblems(objects).join('\n');
      expect(problems).toMatch(/Deployment\/twinfold-bridge: .*must have required property containerPort/);
      expect(problems).toMatch(/'"containerPrt"' does not exist/);
      expect(problems).toMatch(/'"sepc"' does not exist/);
    });

    it('a probe without its port: the schema requires it', () => {
      const objects = base();
      delete (container(objects, 'StatefulSet', 'twinfold').livenessProbe as { httpGet: Json }).httpGet.port;
      expect(schemaProblems(objects).join('\n')).toMatch(
        /livenessProbe\/httpGet must have required property port/,
      );
    });

    it('a probe naming a port the container does not declare', () => {
      const objects = base();
      (container(objects, 'StatefulSet', 'twinfold').startupProbe as { httpGet: Json }).httpGet.port = 'htp';
      expect(schemaProblems(objects)).toEqual([]);
      expect(manifestProblems(objects)).toContain(
        'StatefulSet/twinfold: startupProbe uses port htp, which the container does not declare',
      );
    });

    it('a wrong type and a kind without a schema', () => {
      const objects = base();
      const set = objects.find((o) => o.kind === 'StatefulSet')!;
      (set.spec as Json).replicas = 'three';
      objects.push({ apiVersion: 'apps/v1', kind: 'DeamonSet', metadata: { name: 'typo' } });
      const problems = schemaProblems(objects).join('\n');
      expect(problems).toMatch(/StatefulSet\/twinfold: .*spec\/replicas must be integer/);
      expect(problems).toMatch(/DeamonSet\/typo: no schema/);
    });

    it('a Service whose selector or target port matches nothing', () => {
      const objects = base();
      const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'twinfold')!;
      ((svc.spec as Json).ports as Json[])[0]!.targetPort = 'web';
      const pdb = objects.find(
        (o) => o.metadata.name === 'twinfold-bridge' && o.kind === 'PodDisruptionBudget',
      )!;
      ((pdb.spec as Json).selector as { matchLabels: Json }).matchLabels['app.kubernetes.io/component'] =
        'brige';
      expect(manifestProblems(objects)).toEqual([
        'Service/twinfold: targetPort web is not a port of the selected pods',
        'PodDisruptionBudget/twinfold-bridge: selects no pods',
      ]);
    });

    it('a shutdown grace period shorter than the service takes to checkpoint', () => {
      const objects = base();
      const set = objects.find((o) => o.kind === 'StatefulSet')!;
      (set.spec as { template: { spec: Json } }).template.spec.terminationGracePeriodSeconds = 10;
      expect(manifestProblems(objects)).toEqual(['terminationGracePeriodSeconds below 45']);
    });

    it('a kustomization kustomize refuses (misspelt key)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'twinfold-kustomize-'));
      try {
        writeFileSync(join(dir, 'kustomization.yaml'), `resource:\n  - ${join(REPO_ROOT, 'k8s', 'base')}\n`);
        expect(() => render(kubectl!, dir)).toThrow(/resource/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
