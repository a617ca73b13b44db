import { TwinfoldError } from '../shared/errors';

/**
 * Guards for untrusted JSON bodies. `JSON.parse` itself never pollutes a prototype (it creates an
 * own property named `__proto__`), but any later merge or spread of that object can; so bodies
 * carrying these keys anywhere are rejected before they reach a backend.
 *
 * TODO(shared): when shared/safe-json.ts lands with a reusable key check, use it here.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

export interface JsonLimits {
  /** Deepest accepted nesting (the top-level value is depth 1). */
  maxDepth: number;
  /** Most object keys accepted in one document, counted over every level. */
  maxKeys: number;
}

/**
 * Throws VALIDATION_ERROR naming the path of the first forbidden key, or when the document is
 * nested deeper or holds more keys than `limits`. Iterative, so hostile nesting cannot overflow
 * the stack.
 */
export function assertSafeJson(value: unknown, limits: JsonLimits, root = 'body'): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 1 }];
  let keys = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth > limits.maxDepth) {
      throw new TwinfoldError('VALIDATION_ERROR', `${item.path} is nested deeper than ${limits.maxDepth} levels`);
    }
    if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => stack.push({ value: v, path: `${item.path}[${i}]`, depth: item.depth + 1 }));
      continue;
    }
    for (const [key, v] of Object.entries(item.value)) {
      const path = `${item.path}.${key}`;
      if (isForbiddenKey(key)) throw new TwinfoldError('VALIDATION_ERROR', `${path}: key "${key}" is not allowed`);
      if (++keys > limits.maxKeys) {
        throw new TwinfoldError('VALIDATION_ERROR', `${root} has more than ${limits.maxKeys} keys`);
      }
      stack.push({ value: v, path, depth: item.depth + 1 });
    }
  }
}
