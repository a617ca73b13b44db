/**
 * Turns values into the bytes a store (or a changelog) keeps, and back. Plain
 * functions, no state. `encode` throws on a value it cannot represent, `decode` on bytes it
 * cannot read; callers decide whether that is a bad record or a corrupt store.
 */
export interface Codec<V> {
  encode(value: V): Buffer;
  decode(bytes: Buffer): V;
}
