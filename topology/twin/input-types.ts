import type { JsonObject, JsonValue } from './model';

/** The input topics of the fold, by payload kind (CONTRACT.md Kafka topics). */
export type InputKind =
  'telemetry' | 'state' | 'status' | 'ack' | 'error' | 'desired' | 'command' | 'registry';

export const INPUT_KINDS: readonly InputKind[] = Object.freeze([
  'telemetry',
  'state',
  'status',
  'ack',
  'error',
  'desired',
  'command',
  'registry',
]);

/** Kinds sent by the device itself: they prove it is alive and can auto-discover a twin. */
export const DEVICE_ORIGIN_KINDS: ReadonlySet<InputKind> = new Set([
  'telemetry',
  'state',
  'status',
  'ack',
  'error',
]);

interface InputBase {
  deviceId: string;
  /** Payload time for telemetry/state/status when given, else the record timestamp. */
  timestampMs: number;
}

export interface TelemetryInput extends InputBase {
  kind: 'telemetry';
  readings: JsonObject;
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

export interface DesiredInput extends InputBase {
  kind: 'desired';
  patch: JsonObject;
  ifVersion?: number;
  requestId?: string;
}

export interface CommandInput extends InputBase {
  kind: 'command';
  commandId: string;
  action: string;
  parameters: JsonObject;
  priority: number;
  ttlMs?: number;
  requestId?: string;
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

export interface RegistryInput extends InputBase {
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
  return DEVICE_ORIGIN_KINDS.has(input.kind);
}
