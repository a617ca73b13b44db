import type { DeviceInput } from '../../shared/inputs';
import type { JsonObject } from '../../shared/json';
import { FEATURE_COLUMNS, updateBehaviour, type BehaviourFeatures } from '../behaviour';
import { type Draft, emit, update } from './draft';
import { profileOf } from './model';

/**
 * The behaviour step of an accepted device message read with its headers (`input.behaviour`):
 * folds it into the twin's network behaviour at the bridge's receive time (`mqtt.received_at`,
 * else the record time); a closed window becomes a
 * `behaviour.window` event (a dataset row) and every alert raised or cleared an `alert.raised` /
 * `alert.cleared` event. With behaviour off the twin keeps none.
 */
export function applyBehaviour(draft: Draft, input: DeviceInput): void {
  const settings = draft.config.behaviour;
  if (settings === undefined) {
    if (draft.state.behaviour !== undefined) {
      const { behaviour: _dropped, ...rest } = draft.state;
      draft.state = rest;
    }
    return;
  }
  const meta = input.behaviour;
  if (meta === undefined) return;
  const observation = {
    t: meta.receivedAt ?? draft.nowMs,
    kind: input.kind,
    meta,
    ...(input.kind === 'status' ? { status: input.status } : {}),
  };
  const profile = profileOf(draft.config, draft.state.type);
  const result = updateBehaviour(draft.state.behaviour, draft.state.id, observation, settings, profile);
  update(draft, { behaviour: result.state });
  if (result.closed !== undefined) emit(draft, 'behaviour.window', row(result.closed));
  for (const { kind, data } of result.transitions)
    emit(draft, kind === 'raised' ? 'alert.raised' : 'alert.cleared', data);
}

function row(f: BehaviourFeatures): JsonObject {
  const out: JsonObject = {};
  for (const column of FEATURE_COLUMNS) out[column] = f[column];
  return out;
}
