import { TwinfoldError } from './errors';

/** Bounds applied to every untrusted JSON payload before and while it is parsed. */
export interface JsonLimits {
  /** Largest payload accepted, in bytes (UTF-8), checked before decoding. */
  maxBytes: number;
  /** Deepest nesting of arrays and objects; `[]` and `{}` are depth 1. */
  maxDepth: number;
  /** Total number of object keys in the whole document (array elements are not keys). */
  maxKeys: number;
}

export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = Object.freeze({
  maxBytes: 256 * 1024,
  maxDepth: 32,
  maxKeys: 1000,
});

/**
 * Keys that can reach an object's prototype when a parsed document is later assigned or merged
 * key by key (`target[key] = value`). They are dropped from every parsed object.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/**
 * True for `{...}` values (object literal or null prototype); false for arrays, null, class
 * instances, Dates, Maps, Buffers. Realm-independent: an object from another realm (a vm context,
 * or structuredClone under jest) has that realm's Object.prototype, whose own prototype is null.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** `obj[key]` only when `key` is an own property, so `toString` & co. never resolve to the prototype. */
export function getOwn(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * Parses untrusted JSON. Throws TwinfoldError:
 * - PAYLOAD_TOO_LARGE when the payload exceeds `maxBytes` (checked before anything else);
 * - MALFORMED_JSON for invalid UTF-8 or invalid JSON;
 * - LIMIT_EXCEEDED when nesting exceeds `maxDepth`, keys exceed `maxKeys`, or a number is not finite.
 * The result holds only plain objects, arrays and primitives; `__proto__`, `constructor` and
 * `prototype` keys are removed at every level, and `-0` becomes `0` (it would not survive JSON).
 */
export function parseJsonSafely(bytes: Buffer | string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.length;
  if (size > limits.maxBytes) {
    throw new TwinfoldError('PAYLOAD_TOO_LARGE', `payload of ${size} bytes exceeds ${limits.maxBytes}`, {
      details: { size, maxBytes: limits.maxBytes },
    });
  }
  const text = typeof bytes === 'string' ? bytes : decodeUtf8Strict(bytes);
  assertNestingWithin(text, limits.maxDepth);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new TwinfoldError('MALFORMED_JSON', `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  const budget = { keysLeft: limits.maxKeys, maxKeys: limits.maxKeys };
  return sanitize(parsed, budget);
}

/** Decodes UTF-8, rejecting invalid sequences (MALFORMED_JSON) instead of inserting U+FFFD. */
export function decodeUtf8Strict(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new TwinfoldError('MALFORMED_JSON', 'payload is not valid UTF-8', { cause: err });
  }
}

/**
 * Linear scan of the raw text: JSON.parse and any recursive walk would overflow the stack on
 * `[[[[...` long before a byte limit helps, so depth is bounded before either runs.
 * Brackets inside strings (including escaped quotes) do not count.
 */
export function assertNestingWithin(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > maxDepth) {
        throw new TwinfoldError('LIMIT_EXCEEDED', `JSON nesting exceeds depth ${maxDepth}`, {
          details: { maxDepth },
        });
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
}

interface KeyBudget {
  keysLeft: number;
  maxKeys: number;
}

/** Rebuilds the parsed value; recursion is safe because depth was bounded by the scan. */
function sanitize(value: unknown, budget: KeyBudget): unknown {
  if (typeof value === 'number') return sanitizeNumber(value);
  if (Array.isArray(value)) return value.map((item) => sanitize(item, budget));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    budget.keysLeft--;
    if (budget.keysLeft < 0) {
      throw new TwinfoldError('LIMIT_EXCEEDED', `JSON has more than ${budget.maxKeys} keys`, {
        details: { maxKeys: budget.maxKeys },
      });
    }
    if (isForbiddenKey(key)) continue;
    out[key] = sanitize((value as Record<string, unknown>)[key], budget);
  }
  return out;
}

function sanitizeNumber(n: number): number {
  // 1e400 parses to Infinity, which JSON.stringify would silently turn into null.
  if (!Number.isFinite(n)) throw new TwinfoldError('LIMIT_EXCEEDED', 'JSON number out of range');
  return n === 0 ? 0 : n;
}
