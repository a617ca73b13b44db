import { isJsonObject, type JsonObject, type JsonValue } from '../../shared/json';
import { isForbiddenKey } from '../../shared/safe-json';
import { editPair, splitPair } from './edit-pair';

/**
 * An exact edit of a JSON value, unlike an RFC 7386 merge patch (which cannot set a value to null
 * nor remove the whole document): `s` sets a value (null included), `d` removes it, `o` edits an
 * object's members. The history keeps one edit forward and one back per twin version, so a twin
 * document can be rebuilt at any version still held, in either direction.
 */
export type Edit = { s: JsonValue } | { d: 1 } | { o: { [key: string]: Edit } };

/** The edit taking `from` to `to` (undefined: absent); undefined when they are equal. */
export function diff(from: JsonValue | undefined, to: JsonValue | undefined): Edit | undefined {
  return edits(from, to)?.[0];
}

/**
 * The edits taking `from` to `to` and back, in one walk (a change keeps both); undefined when
 * the values are equal. Objects are compared member by member, anything else with deepEqual.
 */
export function edits(from: JsonValue | undefined, to: JsonValue | undefined): [Edit, Edit] | undefined {
  const pair = editPair(from, to);
  return pair === undefined ? undefined : splitPair(pair);
}

/** `value` after `edit` (undefined: absent). Never mutates `value`. */
export function applyEdit(value: JsonValue | undefined, edit: Edit | undefined): JsonValue | undefined {
  if (edit === undefined) return value;
  if ('s' in edit) return structuredClone(edit.s);
  if ('d' in edit) return undefined;
  const out: JsonObject = isJsonObject(value) ? { ...value } : {};
  for (const key of Object.keys(edit.o)) {
    if (isForbiddenKey(key)) continue;
    const next = applyEdit(Object.hasOwn(out, key) ? out[key] : undefined, edit.o[key]);
    if (next === undefined) delete out[key];
    else out[key] = next;
  }
  return out;
}

/**
 * The RFC 7386 merge patch of an edit of a document: removals become null, a whole-document
 * removal an empty patch (the change record says `deleted`). A value set to null reads as a
 * removal, the one thing merge patches cannot say.
 */
export function toMergePatch(edit: Edit | undefined): JsonObject {
  if (edit === undefined || 'd' in edit) return {};
  if ('s' in edit) return isJsonObject(edit.s) ? structuredClone(edit.s) : {};
  return membersPatch(edit.o);
}

function membersPatch(members: { [key: string]: Edit }): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(members)) {
    const edit = members[key]!;
    out[key] = 'd' in edit ? null : 's' in edit ? structuredClone(edit.s) : membersPatch(edit.o);
  }
  return out;
}

/** The RFC 7386 merge patch taking document `from` (undefined: none) to `to`. */
export function mergePatchBetween(from: JsonObject | undefined, to: JsonObject): JsonObject {
  return toMergePatch(diff(from ?? {}, to));
}

/** Whether a value is an Edit (for decoding stored entries). */
export function isEdit(value: unknown): value is Edit {
  if (!isJsonObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  if (keys[0] === 's') return true;
  if (keys[0] === 'd') return value.d === 1;
  if (keys[0] !== 'o' || !isJsonObject(value.o)) return false;
  const members = value.o;
  return Object.keys(members).every((k) => isEdit(members[k]));
}
