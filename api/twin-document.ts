import type { JsonObject, JsonValue } from './json';

/**
 * The twin document of CONTRACT.md, as served by REST and written to `device.twins`.
 *
 * TODO(topology): when topology/twin/index.ts exports its `TwinDocument`, replace the
 * declarations below with `export type { TwinDocument, ... } from '../topology/twin';` so there is
 * one definition of the shape.
 */
export const LIFECYCLES = ['pending', 'active', 'suspended', 'decommissioned'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export const CONNECTION_STATUSES = ['online', 'offline', 'unknown'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export interface TwinConnection {
  status: ConnectionStatus;
  /** When `status` last changed; null until the device has been seen. */
  since: string | null;
  /** Last message from the device; null until the device has been seen. */
  lastSeen: string | null;
}

/** Per-field bookkeeping of the reported and desired sections (last-writer-wins timestamps). */
export interface FieldMetadata {
  timestamp: string;
}

export interface TwinMetadata {
  reported: Record<string, FieldMetadata>;
  desired: Record<string, FieldMetadata>;
}

/** Free-form attributes (location, manufacturer, ...); the REST API only writes scalar values. */
export type Attributes = Record<string, JsonValue>;

export interface TwinDocument {
  id: string;
  type: string;
  lifecycle: Lifecycle;
  connection: TwinConnection;
  reported: JsonObject;
  desired: JsonObject;
  /** Desired fields whose reported value differs; `{}` when converged. */
  delta: JsonObject;
  metadata: TwinMetadata;
  attributes: Attributes;
  /** +1 on every change of the twin; never decreases. Served as the ETag. */
  version: number;
  commands: { pending: number };
  createdAt: string;
  updatedAt: string;
}
