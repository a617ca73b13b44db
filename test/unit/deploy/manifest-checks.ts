import type { K8sObject } from './render';

/**
 * What a schema cannot see: references between objects and between fields (a probe naming a port
 * the container does not declare, a Service selecting no pod, a mount without a volume), and the
 * operational requirements of twinfold's own workloads. Each returns human-readable problems.
 */

/** Secrets and ConfigMaps the operator creates by hand (README "Kubernetes"), not kustomize. */
export const CREATED_BY_OPERATOR = new Set([
  'Secret/twinfold-secrets',
  'ConfigMap/mosquitto-config',
  'Secret/mosquitto-passwd',
]);

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => obj(o)[k], v);
const labelsMatch = (selector: unknown, labels: unknown): boolean =>
  Object.entries(obj(selector)).every(([k, v]) => obj(labels)[k] === v);

interface Pods {
  owner: K8sObject;
  labels: Json;
  spec: Json;
  containers: Json[];
}

function podsOf(objects: K8sObject[]): Pods[] {
  return objects
    .filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment')
    .map((o) => {
      const spec = obj(at(o, 'spec', 'template', 'spec'));
      return {
        owner: o,
        labels: obj(at(o, 'spec', 'template', 'metadata', 'labels')),
        spec,
        containers: arr(spec.containers).map(obj),
      };
    });
}

const portNames = (pods: Pods): Set<unknown> =>
  new Set(pods.containers.flatMap((c) => arr(c.ports).flatMap((p) => [obj(p).name, obj(p).containerPort])));

function checkWorkload(pods: Pods, objects: K8sObject[], problems: string[]): void {
  const name = `${pods.owner.kind}/${pods.owner.metadata.name}`;
  if (!labelsMatch(at(pods.owner, 'spec', 'selector', 'matchLabels'), pods.labels))
    problems.push(`${name}: selector does not match the pod template's labels`);
  const volumes = new Set([
    ...arr(pods.spec.volumes).map((v) => obj(v).name),
    ...arr(at(pods.owner, 'spec', 'volumeClaimTemplates')).map((v) => at(v, 'metadata', 'name')),
  ]);
  const declared = portNames(pods);
  for (const c of pods.containers) {
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const p = obj(c[probe]);
      const port = at(p, 'httpGet', 'port') ?? at(p, 'tcpSocket', 'port');
      if (c[probe] !== undefined && !declared.has(port))
        problems.push(`${name}: ${probe} uses port ${String(port)}, which the container does not declare`);
    }
    for (const m of arr(c.volumeMounts))
      if (!volumes.has(obj(m).name))
        problems.push(`${name}: volume mount ${String(obj(m).name)} has no volume`);
    for (const from of arr(c.envFrom)) {
      for (const [field, kind] of [
        ['configMapRef', 'ConfigMap'],
        ['secretRef', 'Secret'],
      ] as const) {
        const ref = at(from, field, 'name');
        if (ref === undefined) continue;
        const key = `${kind}/${String(ref)}`;
        const exists = objects.some((o) => o.kind === kind && o.metadata.name === ref);
        if (!exists && !CREATED_BY_OPERATOR.has(key))
          problems.push(`${name}: envFrom names ${key}, which is not rendered`);
      }
    }
  }
}

function selected(pods: Pods[], selector: unknown): Pods[] {
  return pods.filter((p) => Object.keys(obj(selector)).length > 0 && labelsMatch(selector, p.labels));
}

function checkSelectors(objects: K8sObject[], pods: Pods[], problems: string[]): void {
  for (const o of objects) {
    const name = `${o.kind}/${o.metadata.name}`;
    if (o.kind === 'Service') {
      const targets = selected(pods, at(o, 'spec', 'selector'));
      if (targets.length === 0) problems.push(`${name}: selects no pods`);
      for (const port of arr(at(o, 'spec', 'ports')))
        if (!targets.every((t) => portNames(t).has(obj(port).targetPort ?? obj(port).port)))
          problems.push(
            `${name}: targetPort ${String(obj(port).targetPort)} is not a port of the selected pods`,
          );
    }
    if (
      o.kind === 'PodDisruptionBudget' &&
      selected(pods, at(o, 'spec', 'selector', 'matchLabels')).length === 0
    )
      problems.push(`${name}: selects no pods`);
    if (o.kind === 'NetworkPolicy') {
      const targets = selected(pods, at(o, 'spec', 'podSelector', 'matchLabels'));
      if (targets.length === 0) problems.push(`${name}: selects no pods`);
      for (const rule of arr(at(o, 'spec', 'ingress')))
        for (const port of arr(obj(rule).ports))
          if (!targets.every((t) => portNames(t).has(obj(port).port)))
            problems.push(`${name}: port ${String(obj(port).port)} is not a port of the selected pods`);
    }
    if (o.kind === 'ServiceMonitor') {
      const services = objects.filter(
        (s) =>
          s.kind === 'Service' && labelsMatch(at(o, 'spec', 'selector', 'matchLabels'), s.metadata.labels),
      );
      if (services.length === 0) problems.push(`${name}: selects no Service`);
      for (const e of arr(at(o, 'spec', 'endpoints')))
        if (!services.every((s) => arr(at(s, 'spec', 'ports')).some((p) => obj(p).name === obj(e).port)))
          problems.push(
            `${name}: endpoint port ${String(obj(e).port)} is not a port of the selected Services`,
          );
    }
  }
}

const envValue = (c: Json, name: string): unknown => obj(arr(c.env).find((e) => obj(e).name === name)).value;

/** What issue 13 asks of the service's StatefulSet: identity, state, probes, shutdown, resources. */
function checkService(objects: K8sObject[], problems: string[]): void {
  const set = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'twinfold');
  if (!set) return void problems.push('no StatefulSet twinfold');
  const spec = obj(at(set, 'spec', 'template', 'spec'));
  const c = obj(arr(spec.containers)[0]);
  const serviceName = at(set, 'spec', 'serviceName');
  const headless = objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName);
  if (at(headless, 'spec', 'clusterIP') !== 'None')
    problems.push(`serviceName ${String(serviceName)} is not a headless Service`);
  if (!String(envValue(c, 'ADVERTISED_URL')).includes(`$(POD_NAME).${String(serviceName)}.`))
    problems.push('ADVERTISED_URL is not the pod name under the headless Service');
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('twinfold-config'));
  const stateDir = at(config, 'data', 'STATE_DIR');
  const mount = arr(c.volumeMounts)
    .map(obj)
    .find((m) => m.mountPath === stateDir);
  const claims = arr(at(set, 'spec', 'volumeClaimTemplates')).map((v) => at(v, 'metadata', 'name'));
  if (!mount || !claims.includes(mount.name))
    problems.push(`STATE_DIR ${String(stateDir)} is not on a volume claim`);
  if (at(c, 'readinessProbe', 'httpGet', 'path') !== '/readyz')
    problems.push('readiness probe is not /readyz');
  if (at(c, 'livenessProbe', 'httpGet', 'path') !== '/healthz')
    problems.push('liveness probe is not /healthz');
  if (c.startupProbe === undefined) problems.push('no startup probe');
  if (at(c, 'lifecycle', 'preStop') === undefined) problems.push('no preStop hook');
  // The service allows itself 30 s to stop (api/main.ts); preStop runs before SIGTERM.
  if (Number(spec.terminationGracePeriodSeconds) < 45)
    problems.push('terminationGracePeriodSeconds below 45');
  if (
    at(c, 'resources', 'requests', 'memory') === undefined ||
    at(c, 'resources', 'limits', 'memory') === undefined
  )
    problems.push('memory request or limit missing');
  if (at(spec, 'affinity', 'podAntiAffinity') === undefined) problems.push('no pod anti-affinity');
  const pdb = objects.find(
    (o) =>
      o.kind === 'PodDisruptionBudget' &&
      labelsMatch(
        at(o, 'spec', 'selector', 'matchLabels'),
        at(set, 'spec', 'template', 'metadata', 'labels'),
      ),
  );
  if (!pdb) problems.push('no PodDisruptionBudget for the service');
}

export function manifestProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const pods = podsOf(objects);
  for (const p of pods) checkWorkload(p, objects, problems);
  checkSelectors(objects, pods, problems);
  checkService(objects, problems);
  return problems;
}
