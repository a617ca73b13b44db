/**
 * The one decoder of twinfold's inputs: device messages (MQTT uplink, the device.* topics) and
 * application writes (device.desired, device.commands, device.registry). The bridge and the
 * processor both call `decodeInput`, so they accept and refuse exactly the same payloads.
 */
export * from './types';
export { decodeInput, decodeKey, type DecodeLimits } from './decode';
export { MAX_COMMAND_TTL_SECONDS } from './decode-app';
export { DEFAULT_MAX_CLOCK_SKEW_MS, EARLIEST_TRUSTED_MS, parseTimestamp } from './timestamps';
export {
  ACTOR_HEADER,
  REASON_HEADER,
  MAX_ACTOR_LENGTH,
  MAX_REASON_LENGTH,
  decodeProvenance,
  type Provenance,
  type RecordHeaders,
} from './provenance';
export {
  BEHAVIOUR_HEADERS,
  CLIENT_ID_PROPERTY,
  decodeBehaviour,
  LABEL_PATTERN,
  LABEL_PROPERTY,
  type BehaviourMeta,
} from './behaviour';
