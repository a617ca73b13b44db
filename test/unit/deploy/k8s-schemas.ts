import type { TypeMeta, TypeMetaGuard } from '@kubernetes-models/base';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

/**
 * The Kubernetes API's schemas, offline: the npm package kubernetes-models carries every type of
 * the Kubernetes OpenAPI document compiled into ajv validators (types, required fields, enums,
 * formats) and the same types as TypeScript declarations; @kubernetes-models/prometheus-operator
 * does the same for the operator's CRDs. A kind missing here is refused, not waved through.
 */
interface ModelClass<T extends TypeMeta> {
  apiVersion: string;
  kind: string;
  is: TypeMetaGuard<T>;
  new (data: T): { validate(): void };
}

export interface KindSchema {
  /** `apiVersion/kind`. */
  key: string;
  /** Module declaring the kind's TypeScript interface `I<kind>`. */
  module: string;
  /** The ajv validator's complaints about `object`; empty when it conforms. */
  validate(object: unknown): string[];
}

function schema<T extends TypeMeta>(model: ModelClass<T>, module: string): KindSchema {
  return {
    key: `${model.apiVersion}/${model.kind}`,
    module,
    validate(object) {
      if (!model.is(object)) return [`not a ${model.apiVersion} ${model.kind}`];
      try {
        new model(object).validate();
        return [];
      } catch (err) {
        return [err instanceof Error ? err.message : String(err)];
      }
    },
  };
}

const KINDS: KindSchema[] = [
  schema(StatefulSet, 'kubernetes-models/apps/v1/StatefulSet'),
  schema(Deployment, 'kubernetes-models/apps/v1/Deployment'),
  schema(Service, 'kubernetes-models/v1/Service'),
  schema(ConfigMap, 'kubernetes-models/v1/ConfigMap'),
  schema(Secret, 'kubernetes-models/v1/Secret'),
  schema(Namespace, 'kubernetes-models/v1/Namespace'),
  schema(PodDisruptionBudget, 'kubernetes-models/policy/v1/PodDisruptionBudget'),
  schema(NetworkPolicy, 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  schema(ServiceMonitor, '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'),
];

export function schemaOf(apiVersion: unknown, kind: unknown): KindSchema | undefined {
  return KINDS.find((k) => k.key === `${String(apiVersion)}/${String(kind)}`);
}
