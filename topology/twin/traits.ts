import type { JsonObject } from '../../shared/json';
import { updateTraits } from '../traits';
import { type Draft, emit, update } from './draft';
import { hasOwn } from './json';
import { profileOf } from './model';

/**
 * The traits' step of a telemetry or state input: after `reported` has merged, each finite
 * numeric reading of the input updates its field's traits at the input's reading time, and every
 * alert raised or cleared becomes an `alert.raised` / `alert.cleared` event. With traits off
 * (`FoldConfig.traits === false`) the twin keeps none.
 */
export function applyTraits(draft: Draft, readings: JsonObject, t: number): void {
  if (draft.config.traits === false) {
    // Traits turned off: a twin folded while they were on loses them at its next reading.
    if (draft.state.traits !== undefined) {
      const { traits: _dropped, ...rest } = draft.state;
      draft.state = rest;
    }
    return;
  }
  const values: [string, number][] = [];
  for (const [field, value] of Object.entries(readings)) {
    if (typeof value === 'number' && Number.isFinite(value)) values.push([field, value]);
  }
  const { reported } = draft.state;
  const result = updateTraits(
    draft.state.traits,
    {
      deviceId: draft.state.id,
      t,
      values,
      isNumeric: (field) => hasOwn(reported, field) && typeof reported[field] === 'number',
    },
    profileOf(draft.config, draft.state.type),
  );
  if (result.traits === undefined) return;
  update(draft, { traits: result.traits });
  for (const { kind, data } of result.transitions)
    emit(draft, kind === 'raised' ? 'alert.raised' : 'alert.cleared', data);
}
