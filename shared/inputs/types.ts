import type { JsonObject, JsonValue } from '../json';
import type { BehaviourMeta } from './behaviour';
import type { Provenance } from './provenance';

/** Kinds sent by the device itself (its MQTT uplink): they prove it is alive and can auto-discover a twin. */
export const DEVICE_KINDS = ['telemetry', 'state', 'status', 'ack', 'error'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Priority of a command whose request gives none (the lowest of the API's 0..9). */
export const DEFAULT_COMMAND_PRIORITY = 0;

/** Kinds written by applications through the API. */
export const APPLICATION_KINDS = ['desired', 'command', 'registry'] as const;
export type ApplicationKind = (typeof APPLICATION_KINDS)[number];

/** The input topics of the fold, by payload kind (the Kafka topics of the contract). */
export type InputKind = DeviceKind | ApplicationKind;
export const INPUT_KINDS: readonly InputKind[] = Object.freeze([...DEVICE_KINDS, ...APPLICATION_KINDS]);

const DEVICE_KIND_SET: ReadonlySet<InputKind> = new Set(DEVICE_KINDS);

interface InputBase {
  deviceId: string;
  /**
   * When the input happened, epoch ms: the payload's time for telemetry, state, status and error
   * when it is given and trusted, else the record timestamp (the broker's receive time).
   */
  timestampMs: number;
  /**
   * The payload's own time when it was not trusted (later than the record time plus the allowed
   * clock skew, or before 2000): the input is then timed at the record timestamp instead.
   */
  deviceTimestampMs?: number;
  /** A device record's network-behaviour metadata (its headers), when it was read with them. */
  behaviour?: BehaviourMeta;
}

export interface TelemetryInput extends InputBase {
  kind: 'telemetry';
  readings: JsonObject;
  /** Unit of each reading that has one (from the message's `metadata`). */
  units?: Record<string, string>;
}

export interface StateInput extends InputBase {
  kind: 'state';
  reported: JsonObject;
  /** Device-side counter, or null when the message carries none. */
  stateVersion: number | null;
}

export interface StatusInput extends InputBase {
  kind: 'status';
  status: 'online' | 'offline';
}

export interface AckInput extends InputBase {
  kind: 'ack';
  commandId: string;
  status: string;
  result?: JsonValue;
}

export interface ErrorInput extends InputBase {
  kind: 'error';
  errorCode: string;
  message: string;
  details?: JsonValue;
}

export interface DesiredInput extends InputBase, Provenance {
  kind: 'desired';
  patch: JsonObject;
  ifVersion?: number;
  requestId?: string;
}

export interface CommandInput extends InputBase, Provenance {
  kind: 'command';
  commandId: string;
  action: string;
  parameters: JsonObject;
  priority: number;
  ttlMs?: number;
  requestId?: string;
  /** Set by the fold for a rule's command (`rule:<id>`); never read from a record. */
  origin?: string;
}

export type RegistryOp = 'create' | 'update' | 'suspend' | 'resume' | 'decommission' | 'delete';
export const REGISTRY_OPS: readonly RegistryOp[] = Object.freeze([
  'create',
  'update',
  'suspend',
  'resume',
  'decommission',
  'delete',
]);

export interface RegistryInput extends InputBase, Provenance {
  kind: 'registry';
  op: RegistryOp;
  type?: string;
  /** Merge-patch of the attributes; with `replaceAttributes`, the whole new attribute map. */
  attributes?: JsonObject;
  replaceAttributes?: boolean;
  requestId?: string;
}

export type DeviceInput = TelemetryInput | StateInput | StatusInput | AckInput | ErrorInput;
export type ApplicationInput = DesiredInput | CommandInput | RegistryInput;
export type TwinInput = DeviceInput | ApplicationInput;

export function isDeviceInput(input: TwinInput): input is DeviceInput {
  return DEVICE_KIND_SET.has(input.kind);
}
