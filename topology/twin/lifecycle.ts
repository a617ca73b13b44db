import { cancelOpenCommands } from './commands';
import { type Draft, emit, update, withOptional } from './draft';
import type { RegistryInput } from '../../shared/inputs';
import { deepEqual, isJsonObject } from './json';
import { mergePatch } from './merge';
import type { JsonObject, Lifecycle, TwinState } from './model';

/**
 * Registry operations on an existing, not decommissioned twin (fold.ts handles unknown twins,
 * `delete` and the decommissioned gate). Allowed lifecycle transitions (see model.ts):
 * suspend from pending|active, resume from suspended, decommission from anything else.
 */
export function applyRegistry(draft: Draft, input: RegistryInput): void {
  switch (input.op) {
    case 'create':
    case 'update':
      return setDescription(draft, input);
    case 'suspend':
      if (draft.state.lifecycle === 'pending' || draft.state.lifecycle === 'active') {
        return setLifecycle(draft, 'suspended', input.requestId);
      }
      return;
    case 'resume':
      if (draft.state.lifecycle === 'suspended')
        return setLifecycle(draft, resumedLifecycle(draft.state), input.requestId);
      return;
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

/** Type (replaced when given) and attributes (merge-patched); `twin.updated` when either changes. */
function setDescription(draft: Draft, input: RegistryInput): void {
  const { type, attributes } = draft.state;
  const nextType = input.type ?? type;
  const nextAttributes =
    input.attributes === undefined ? attributes : patchAttributes(attributes, input.attributes);
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
