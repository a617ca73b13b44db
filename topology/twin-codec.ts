import { TwinfoldError } from '../shared/errors';
import type { Codec } from '../store';
import { upgradeTraits } from './traits';
import { isGrave, type StoredTwin } from './twin';

/**
 * Largest stored twin: with its document and framing it must fit the broker's 1 MB record limit.
 * The processor refuses a fold that would grow a twin past it (the record is dead-lettered); the
 * API refuses such a write before producing it.
 */
export const MAX_TWIN_BYTES = 512 * 1024;

/**
 * What a partition store holds (a twin, or the grave of a deleted one) <-> store and changelog
 * bytes. JSON: the changelog stays readable with any Kafka tool.
 */
export const storedTwinCodec: Codec<StoredTwin> = {
  encode: (stored) => Buffer.from(JSON.stringify(stored), 'utf8'),
  decode: (bytes) => upgrade(JSON.parse(bytes.toString('utf8')) as StoredTwin),
};

/**
 * Stores and changelogs written by earlier versions hold command statuses in capitals (`PENDING`); they
 * read as seed 000's lowercase words, so a store need not be rebuilt after the upgrade. Traits stored
 * with each field's evaluation as an object get it by position (traits/evaluation.ts).
 */
function upgrade(stored: StoredTwin): StoredTwin {
  if (isGrave(stored)) return stored;
  let twin = stored;
  if (!twin.commands.every((c) => c.status === c.status.toLowerCase())) {
    const commands = twin.commands.map((c) => ({ ...c, status: c.status.toLowerCase() as typeof c.status }));
    twin = { ...twin, commands };
  }
  const traits = twin.traits === undefined ? undefined : upgradeTraits(twin.traits);
  return traits === twin.traits ? twin : { ...twin, traits };
}

/** The stored bytes of `stored`; LIMIT_EXCEEDED past MAX_TWIN_BYTES. */
export function encodeWithinLimit(stored: StoredTwin): Buffer {
  const encoded = storedTwinCodec.encode(stored);
  if (encoded.length > MAX_TWIN_BYTES) {
    throw new TwinfoldError(
      'LIMIT_EXCEEDED',
      `twin ${stored.id} would grow to ${encoded.length} bytes, over the ${MAX_TWIN_BYTES}-byte limit`,
      { details: { twinBytes: encoded.length, maxTwinBytes: MAX_TWIN_BYTES } },
    );
  }
  return encoded;
}
