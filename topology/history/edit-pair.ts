import { isJsonObject, type JsonValue } from '../../shared/json';
import { deepEqual } from '../twin';
import type { Edit } from './edit';

/**
 * The edits of one change forward and back as one tree, each member name once (how a change entry
 * stores them, about half the bytes of two edits): `n` a new value (back: remove it), `r` a removed
 * one (back: set it again), `c` a changed value [to, from], `o` edits of an object's members.
 */
export type EditPair =
  { n: JsonValue } | { r: JsonValue } | { c: [JsonValue, JsonValue] } | { o: { [key: string]: EditPair } };

/** The pair of edits taking `from` to `to` (undefined: absent) and back; undefined when equal. */
export function editPair(from: JsonValue | undefined, to: JsonValue | undefined): EditPair | undefined {
  if (from === to) return undefined;
  if (from === undefined) return { n: to! };
  if (to === undefined) return { r: from };
  if (!isJsonObject(from) || !isJsonObject(to)) return deepEqual(from, to) ? undefined : { c: [to, from] };
  let members: { [key: string]: EditPair } | undefined;
  for (const key of Object.keys(from)) {
    const p = editPair(from[key], Object.hasOwn(to, key) ? to[key] : undefined);
    if (p !== undefined) (members ??= {})[key] = p;
  }
  for (const key of Object.keys(to)) if (!Object.hasOwn(from, key)) (members ??= {})[key] = { n: to[key]! };
  return members === undefined ? undefined : { o: members };
}

/** The forward and the backward edit of a pair. */
export function splitPair(p: EditPair): [Edit, Edit] {
  if ('n' in p) return [{ s: p.n }, { d: 1 }];
  if ('r' in p) return [{ d: 1 }, { s: p.r }];
  if ('c' in p) return [{ s: p.c[0] }, { s: p.c[1] }];
  const forward: { [key: string]: Edit } = {};
  const back: { [key: string]: Edit } = {};
  for (const key of Object.keys(p.o)) [forward[key], back[key]] = splitPair(p.o[key]!);
  return [{ o: forward }, { o: back }];
}

/** Whether a value is an EditPair (for decoding stored entries). */
export function isEditPair(value: unknown): value is EditPair {
  if (!isJsonObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  if (keys[0] === 'n' || keys[0] === 'r') return true;
  if (keys[0] === 'c') return Array.isArray(value.c) && value.c.length === 2;
  if (keys[0] !== 'o' || !isJsonObject(value.o)) return false;
  const members = value.o;
  return Object.keys(members).every((k) => isEditPair(members[k]));
}
