import { isJsonObject, type JsonObject, type JsonValue } from '../json';
import { parseJsonSafely, type JsonLimits } from '../safe-json';
import { JSON_BRANCH, TWIN_TYPE } from './twin-schema';
import { HEADER_BYTES } from './wire';

/**
 * The twin document (as JSON) of a `device.twins` value twinfold wrote as Avro, for its own readers
 * (event streams, the bridge's twin/{id}/update): decoded with this version's TWIN_SCHEMA, the
 * `Value` unions unwrapped and the JSON texts parsed. undefined when it does not decode whole
 * (another schema than this version's, or not a twin).
 */
export function twinJsonOf(value: Buffer): JsonObject | undefined {
  if (value.length < HEADER_BYTES) return undefined;
  try {
    const decoded = TWIN_TYPE.decode(value, HEADER_BYTES);
    if (decoded.offset !== value.length) return undefined;
    const plain = parseJsonSafely(JSON.stringify(decoded.value), TWIN_LIMITS);
    return isJsonObject(plain) ? documentOf(plain) : undefined;
  } catch {
    return undefined;
  }
}

/** Bounds for twinfold's own twins: a stored twin is at most 512 KiB (MAX_TWIN_BYTES). */
const TWIN_LIMITS: JsonLimits = { maxBytes: 4 * 1024 * 1024, maxDepth: 1000, maxKeys: 1_000_000 };

function documentOf(t: JsonObject): JsonObject {
  const metadata = isJsonObject(t.metadata) ? t.metadata : {};
  const doc: JsonObject = {
    ...t,
    reported: valuesOf(t.reported),
    desired: valuesOf(t.desired),
    delta: valuesOf(t.delta),
    metadata: { reported: metaOf(metadata.reported), desired: metaOf(metadata.desired) },
    attributes: valuesOf(t.attributes),
  };
  delete doc.traits;
  if (typeof t.traits === 'string') doc.traits = parseJsonSafely(t.traits, TWIN_LIMITS) as JsonValue;
  return doc;
}

/** A map of `Value` unions ({"double": 1.5}, {"io.twinfold.twin.Json": {"json": "[1]"}}, null) as plain JSON. */
function valuesOf(map: JsonValue | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isJsonObject(map)) return out;
  for (const [k, wrapped] of Object.entries(map)) {
    if (!isJsonObject(wrapped)) {
      out[k] = null;
      continue;
    }
    const [branch, v] = Object.entries(wrapped)[0] ?? [];
    out[k] =
      branch === JSON_BRANCH && isJsonObject(v) && typeof v.json === 'string'
        ? (parseJsonSafely(v.json, TWIN_LIMITS) as JsonValue)
        : (v ?? null);
  }
  return out;
}

/** Field metadata without the null optional entries (absent in the JSON document). */
function metaOf(map: JsonValue | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isJsonObject(map)) return out;
  for (const [k, m] of Object.entries(map))
    if (isJsonObject(m)) out[k] = Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null));
  return out;
}
