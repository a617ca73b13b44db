import { isJsonObject, type JsonObject, type JsonValue } from '../../shared/json';

/** A dotted path split into its members (`a.b` -> ['a', 'b']). */
export function splitPath(path: string): string[] {
  return path.split('.');
}

/** The value at a path, undefined when any member is missing (own members only). */
export function valueAt(obj: JsonObject, path: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const name of path) {
    if (!isJsonObject(cur) || !Object.hasOwn(cur, name)) return undefined;
    cur = cur[name];
  }
  return cur;
}

/**
 * Only the members at `paths` of `values`, in the same nesting (`a.b` keeps `{a: {b}}`);
 * undefined when none is present.
 */
export function project(values: JsonObject, paths: readonly (readonly string[])[]): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const path of paths) {
    const value = valueAt(values, path);
    if (value === undefined) continue;
    out ??= {};
    let node: JsonObject = out;
    for (const name of path.slice(0, -1)) {
      const child = Object.hasOwn(node, name) ? node[name] : undefined;
      if (isJsonObject(child)) node = child;
      else node = node[name] = {};
    }
    node[path[path.length - 1]!] = value;
  }
  return out;
}
