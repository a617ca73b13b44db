/**
 * Types of the twin fold. `TwinState` is the internal, JSON-serialisable record held by the store
 * and its changelog; the public shape is `TwinDocument` (document.ts, docs/contract.md).
 * All times are epoch milliseconds; nothing here reads the clock.
 */
import { DEFAULT_JSON_LIMITS, type JsonLimits } from '../../shared/safe-json';

import type { JsonObject, JsonValue } from '../../shared/json';
import type { BehaviourSettings, BehaviourState } from '../behaviour';
import { DEFAULT_PROFILE, type DeviceProfile, type TraitsState } from '../traits';
import type { Rule, RuleMemory } from '../rules/model';

export type { JsonObject, JsonValue };

/**
 * Lifecycle (docs/contract.md, the twin document):
 *
 *   (none) --registry create--> pending --first device message--> active
 *   (none) --device message--> active
 *   pending|active --suspend--> suspended --resume--> active (pending if the device never spoke)
 *   pending|active|suspended --decommission--> decommissioned
 *   any --delete--> (grave: a tombstone on device.twins; a re-created twin continues the version)
 *
 * Desired patches and commands never create a twin; they are refused by suspended and
 * decommissioned twins. A transition not drawn here (resume an active twin) is refused.
 */
export type Lifecycle = 'pending' | 'active' | 'suspended' | 'decommissioned';

/** The type of a twin its device's messages created (no registry `create` named one). */
export const UNKNOWN_TWIN_TYPE = 'unknown';
export type ConnectionStatus = 'online' | 'offline' | 'unknown';

export interface Connection {
  status: ConnectionStatus;
  /** When the current status began; null until the device first speaks. */
  since: number | null;
  /** Latest record time of any device-origin message; null until the device first speaks. */
  lastSeen: number | null;
}

/** Per top-level field: time of the value and the twin version at which the entry last changed. */
export interface FieldMeta {
  timestamp: number;
  version: number;
  /** Unit of a reported value, from its message's metadata; kept until a message names another. */
  unit?: string;
  /** `receive`: the device's clock was not trusted, so `timestamp` is the broker's receive time. */
  clock?: 'receive';
  /** With `clock`: the device's own, untrusted time of the value. */
  deviceTimestamp?: number;
}

export interface TwinMetadata {
  /**
   * Reported fields. An entry whose field is absent from `reported` is a tombstone: it remembers
   * when the field was deleted so that an older reading cannot resurrect it.
   */
  reported: Record<string, FieldMeta>;
  desired: Record<string, FieldMeta>;
}

/** Seed 000's command lifecycle words, as stored and as published (twin document, REST, events). */
export const COMMAND_STATUSES = ['pending', 'delivered', 'acknowledged', 'failed', 'expired'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export { DEFAULT_COMMAND_PRIORITY } from '../../shared/inputs';

export interface CommandEntry {
  commandId: string;
  action: string;
  parameters: JsonObject;
  /** Higher is delivered first; ties in arrival order. */
  priority: number;
  status: CommandStatus;
  createdAt: number;
  expiresAt: number;
  /** Time of the latest delivery. */
  deliveredAt?: number;
  /** When it became terminal: acknowledged, failed or expired (`expiresAt` for an expired one). */
  completedAt?: number;
  /** Number of deliveries so far (first delivery, retries and redeliveries on reconnect). */
  attempts: number;
  /** The device's own `status` word of its latest ack (e.g. `success`, `failed`). */
  ackStatus?: string;
  /** Last `result` sent by the device in an ack. */
  result?: JsonValue;
  /**
   * Why a command failed: `ack:<status>`, `decommissioned`, or `downlink:<CODE>: <reason>` when its
   * downlink message breaks the limits the bridge enforces (it would be dead-lettered).
   */
  error?: string;
  /** Who queued it when not an application: `rule:<id>` for a rule's firing. */
  origin?: string;
}

export interface TwinErrorReport {
  code: string;
  message: string;
  details?: JsonValue;
  timestamp: number;
}

export interface TwinState {
  id: string;
  type: string;
  lifecycle: Lifecycle;
  connection: Connection;
  reported: JsonObject;
  desired: JsonObject;
  metadata: TwinMetadata;
  attributes: JsonObject;
  /** Twin version: 1 at creation, +1 on every change. */
  version: number;
  /** Last device-side `version` of an accepted state message, or null. */
  stateVersion: number | null;
  /** Queue order: priority descending, then arrival. Terminal commands are kept as history. */
  commands: CommandEntry[];
  lastError: TwinErrorReport | null;
  createdAt: number;
  updatedAt: number;
  /** Computed traits of the numeric reported fields and the open alerts; absent with traits off. */
  traits?: TraitsState;
  /** The rules of its type: their last outcome and the recent firings (topology/rules/). */
  rules?: RuleMemory;
  /** Network behaviour (topology/behaviour/); absent with behaviour off or before a record with headers. */
  behaviour?: BehaviourState;
}

/**
 * What the store and changelog keep of a deleted twin while `device.twins` gets its tombstone: the
 * last version, so a twin re-created under the same id continues the count (versions never
 * decrease). Graves are never published and never read as twins.
 */
export interface TwinGrave {
  id: string;
  deleted: true;
  /** The version of the deletion (the tombstone's): one past the twin's last. */
  version: number;
  deletedAt: number;
}

/** What a partition store holds under a device id. */
export type StoredTwin = TwinState | TwinGrave;

export function isGrave(stored: StoredTwin): stored is TwinGrave {
  return 'deleted' in stored && stored.deleted === true;
}

/** The live twin of a store entry: undefined for a grave or nothing. */
export function liveTwin(stored: StoredTwin | null | undefined): TwinState | undefined {
  return stored === null || stored === undefined || isGrave(stored) ? undefined : stored;
}

export interface FoldConfig {
  /** An online twin silent for longer than this becomes `unknown`. */
  offlineAfterMs: number;
  /** Command TTL when the request gives none. */
  defaultCommandTtlMs: number;
  /** A failed ack is retried while `attempts < maxCommandRetries`. */
  maxCommandRetries: number;
  /** Terminal commands kept per twin; the oldest are dropped first. */
  maxCommandHistory: number;
  /** The bridge's limits on a device.downlink record: a command breaking them fails, never delivered. */
  downlinkLimits: JsonLimits;
  /** Compute traits and alerts (setting `TRAITS`); absent means on. */
  traits?: boolean;
  /**
   * The profile a device type folds its traits with; absent means DEFAULT_PROFILE for every type.
   * Profiles are never mutated: a changed profile is a new object (per-field settings are cached
   * per profile object).
   */
  profileFor?: (type: string) => DeviceProfile;
  /** Fold network behaviour with these settings (setting `BEHAVIOUR`); absent: off. */
  behaviour?: BehaviourSettings;
  /** The rules of a device type (the `device.rules` global table); absent: no rules. */
  rulesFor?: (type: string) => readonly Rule[];
}

/** The profile of `type` under `config`. */
export function profileOf(config: FoldConfig, type: string): DeviceProfile {
  return config.profileFor === undefined ? DEFAULT_PROFILE : config.profileFor(type);
}

export const DEFAULT_FOLD_CONFIG: Readonly<FoldConfig> = Object.freeze({
  offlineAfterMs: 5 * 60 * 1000,
  defaultCommandTtlMs: 60 * 60 * 1000,
  maxCommandRetries: 3,
  maxCommandHistory: 50,
  downlinkLimits: DEFAULT_JSON_LIMITS,
});

export interface FoldContext {
  /** The record's timestamp; never the wall clock. */
  nowMs: number;
  config: FoldConfig;
}

export type TwinEventType =
  | 'twin.created'
  | 'twin.updated'
  | 'twin.deleted'
  | 'lifecycle.changed'
  | 'connected'
  | 'disconnected'
  | 'connection.unknown'
  | 'desired.changed'
  | 'desired.rejected'
  | 'delta.changed'
  | 'command.status'
  | 'alert'
  | 'alert.raised'
  | 'alert.cleared'
  | 'rule.fired'
  | 'behaviour.window';

export interface TwinEvent {
  type: TwinEventType;
  deviceId: string;
  /** Twin version after the change (the current version for a rejection). */
  version: number;
  /** ISO-8601 UTC. */
  timestamp: string;
  data: JsonObject;
}

/** docs/contract.md `device/{id}/command`. */
export interface CommandDownlink {
  command_id: string;
  action: string;
  parameters: JsonObject;
  timestamp: string;
  timeout?: number;
}

/** docs/contract.md `device/{id}/desired`. */
export interface DesiredDownlink {
  version: number;
  desired: JsonObject;
  delta: JsonObject;
}

export type DownlinkMessage =
  | { kind: 'command'; deviceId: string; payload: CommandDownlink }
  | { kind: 'desired'; deviceId: string; payload: DesiredDownlink };

export type FoldOutcome = 'changed' | 'unchanged' | 'ignored' | 'deleted';

export interface FoldResult {
  /** The new state; null when deleted (publish a tombstone); undefined when nothing changed. */
  state: TwinState | null | undefined;
  /** Set when deleted: what the store and changelog keep instead of the twin. */
  grave?: TwinGrave;
  events: TwinEvent[];
  downlink: DownlinkMessage[];
  outcome: FoldOutcome;
  /** Why the input was ignored or rejected, e.g. 'stale-state-version', 'suspended'. */
  reason?: string;
}
