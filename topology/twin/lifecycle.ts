import { cancelOpenCommands } from './commands';
import { type Draft, emit, update, withOptional } from './draft';
import type { RegistryInput, RegistryOp } from '../../shared/inputs';
import { deepEqual, isJsonObject } from './json';
import { mergePatch } from './merge';
import type { JsonObject, Lifecycle, TwinState } from './model';

/**
 * True when `op` is a lifecycle transition the twin's lifecycle does not allow (see model.ts):
 * suspend only from pending|active, resume only from suspended, decommission from anything but
 * decommissioned. The fold ignores such an op ('lifecycle-conflict'); the API refuses it with 409.
 */
export function isLifecycleConflict(lifecycle: Lifecycle, op: RegistryOp): boolean {
  switch (op) {
    case 'suspend':
      return lifecycle !== 'pending' && lifecycle !== 'active';
    case 'resume':
      return lifecycle !== 'suspended';
    case 'decommission':
      return lifecycle === 'decommissioned';
    default:
      return false;
  }
}

/**
 * Registry operations on an existing twin whose lifecycle allows them (fold.ts handles unknown
 * twins, `delete`, the decommissioned gate and isLifecycleConflict).
 */
export function applyRegistry(draft: Draft, input: RegistryInput): void {
  switch (input.op) {
    case 'create':
    case 'update':
      return setDescription(draft, input);
    case 'suspend':
      return setLifecycle(draft, 'suspended', input.requestId);
    case 'resume':
      return setLifecycle(draft, resumedLifecycle(draft.state), input.requestId);
    case 'decommission':
      cancelOpenCommands(draft, 'decommissioned');
      return setLifecycle(draft, 'decommissioned', input.requestId);
    case 'delete':
      return;
  }
}

/** A resumed twin is active if its device has ever spoken, else still waiting for it. */
function resumedLifecycle(state: TwinState): Lifecycle {
  return state.connection.lastSeen === null ? 'pending' : 'active';
}

function setLifecycle(draft: Draft, to: Lifecycle, requestId?: string): void {
  const from = draft.state.lifecycle;
  if (from === to) return;
  update(draft, { lifecycle: to });
  emit(draft, 'lifecycle.changed', withOptional({ from, to }, { requestId }));
}

/**
 * Type (replaced when given) and attributes (merge-patched, or replaced as a whole with
 * `replaceAttributes`); `twin.updated` when either changes.
 */
function setDescription(draft: Draft, input: RegistryInput): void {
  const { type, attributes } = draft.state;
  const nextType = input.type ?? type;
  const nextAttributes =
    input.attributes === undefined
      ? attributes
      : patchAttributes(input.replaceAttributes === true ? {} : attributes, input.attributes);
  if (nextType === type && deepEqual(nextAttributes, attributes)) return;
  update(draft, { type: nextType, attributes: nextAttributes });
  emit(
    draft,
    'twin.updated',
    withOptional({ type: nextType, attributes: nextAttributes }, { requestId: input.requestId }),
  );
}

export function patchAttributes(current: JsonObject, patch: JsonObject): JsonObject {
  const merged = mergePatch(current, patch);
  return isJsonObject(merged) ? merged : {};
}
