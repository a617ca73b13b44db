import { toTwinDocument, type TwinDocument, type TwinState } from './twin';

/** Documents of the twin states seen lately; a state is never mutated, so its document never changes. */
const documents = new WeakMap<TwinState, TwinDocument>();

/**
 * The public document of a twin state, rendered once per state: the task renders each new state
 * for `device.twins` and the history diffs it against the next one. Callers must not mutate it.
 */
export function documentOf(state: TwinState): TwinDocument {
  let doc = documents.get(state);
  if (doc === undefined) documents.set(state, (doc = toTwinDocument(state)));
  return doc;
}
