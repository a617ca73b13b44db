import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../support/dockerfile';

/** A rendered Kubernetes object, as plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: unknown;
  [field: string]: unknown;
}

export const OVERLAYS_DIR = join(REPO_ROOT, 'k8s', 'overlays');

export function overlays(): string[] {
  return readdirSync(OVERLAYS_DIR).sort();
}

/** kubectl on PATH, or the one `.ci/run` installs into .cache/bin on a machine without it. */
export function findKubectl(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(REPO_ROOT, '.cache', 'bin')];
  return dirs.map((d) => join(d, 'kubectl')).find((p) => existsSync(p));
}

function isObject(value: unknown): value is K8sObject {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  const meta = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof meta?.name === 'string';
}

/** `kubectl kustomize k8s/overlays/<overlay>`, parsed; throws with kustomize's message on failure. */
export function render(kubectl: string, overlay: string): K8sObject[] {
  const yaml = execFileSync(kubectl, ['kustomize', resolve(OVERLAYS_DIR, overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(yaml).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`document ${i}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJSON();
    if (!isObject(value)) throw new Error(`document ${i} is not a Kubernetes object`);
    return value;
  });
}
