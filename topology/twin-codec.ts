import type { Codec } from '../store';
import type { TwinState } from './twin';

/** TwinState <-> store and changelog bytes. JSON: the changelog stays readable with any Kafka tool. */
export const twinStateCodec: Codec<TwinState> = {
  encode: (state) => Buffer.from(JSON.stringify(state), 'utf8'),
  decode: (bytes) => JSON.parse(bytes.toString('utf8')) as TwinState,
};
