import { isOpen } from './commands';
import { computeDelta } from './delta';
import { hasOwn, toIso, toIsoOrNull } from './json';
import type { ConnectionStatus, FieldMeta, JsonObject, Lifecycle, TwinState } from './model';
import { behaviourView, type BehaviourView } from '../behaviour';
import { traitsView, type TraitsView } from '../traits';

/**
 * Field metadata as published: ISO timestamp and the twin version at which it changed; for
 * reported fields also the unit, and `clock: "receive"` with the device's untrusted time.
 */
export interface PublicFieldMeta {
  timestamp: string;
  version: number;
  unit?: string;
  clock?: 'receive';
  deviceTimestamp?: string;
}

/** The public twin document of docs/contract.md (REST and `device.twins`). */
export interface TwinDocument {
  id: string;
  type: string;
  lifecycle: Lifecycle;
  connection: { status: ConnectionStatus; since: string | null; lastSeen: string | null };
  reported: JsonObject;
  desired: JsonObject;
  delta: JsonObject;
  metadata: { reported: Record<string, PublicFieldMeta>; desired: Record<string, PublicFieldMeta> };
  attributes: JsonObject;
  version: number;
  commands: { pending: number };
  createdAt: string;
  updatedAt: string;
  /** Computed traits and open alerts (absent with traits off, or before a numeric reading). */
  traits?: TraitsView;
  /** Network behaviour: the last closed window's features and open alerts (absent with behaviour off). */
  behaviour?: BehaviourView;
}

export interface DocumentOptions {
  /**
   * When freshness is judged. Default: the twin's `updatedAt`, so the document is a function of
   * the stored twin (the same on `device.twins` and REST, and its version is a valid ETag).
   */
  nowMs?: number;
}

/**
 * The public document of a twin, keys in docs/contract.md order. It shares nothing with `state`
 * (values are deep-copied), and tombstones in the metadata are left out.
 */
export function toTwinDocument(state: TwinState, options: DocumentOptions = {}): TwinDocument {
  const { connection, traits } = state;
  const doc: TwinDocument = structuredClone({
    id: state.id,
    type: state.type,
    lifecycle: state.lifecycle,
    connection: {
      status: connection.status,
      since: toIsoOrNull(connection.since),
      lastSeen: toIsoOrNull(connection.lastSeen),
    },
    reported: state.reported,
    desired: state.desired,
    delta: computeDelta(state.reported, state.desired),
    metadata: {
      reported: publicMeta(state.reported, state.metadata.reported),
      desired: publicMeta(state.desired, state.metadata.desired),
    },
    attributes: state.attributes,
    version: state.version,
    commands: { pending: state.commands.filter(isOpen).length },
    createdAt: toIso(state.createdAt),
    updatedAt: toIso(state.updatedAt),
  });
  if (traits !== undefined) doc.traits = traitsView(traits, options.nowMs ?? state.updatedAt);
  if (state.behaviour !== undefined) doc.behaviour = behaviourView(state.behaviour);
  return doc;
}

/** Metadata of the fields present, in the order of the fields. */
function publicMeta(values: JsonObject, meta: Record<string, FieldMeta>): Record<string, PublicFieldMeta> {
  const out: Record<string, PublicFieldMeta> = {};
  for (const key of Object.keys(values)) {
    const entry = hasOwn(meta, key) ? meta[key] : undefined;
    if (entry !== undefined) out[key] = publicEntry(entry);
  }
  return out;
}

function publicEntry({ timestamp, version, unit, clock, deviceTimestamp }: FieldMeta): PublicFieldMeta {
  return {
    timestamp: toIso(timestamp),
    version,
    ...(unit === undefined ? {} : { unit }),
    ...(clock === undefined ? {} : { clock }),
    ...(deviceTimestamp === undefined ? {} : { deviceTimestamp: toIso(deviceTimestamp) }),
  };
}
