import { REGISTRY_OPS } from '../shared/inputs';
import type {
  AggregateBucket,
  AggregateQuery,
  ChangesSince,
  HistoryPage,
  HistoryQuery,
  TelemetryPage,
  TelemetryPoint,
  TelemetryQuery,
} from '../topology/history/queries';
import type { CommandInput } from '../topology/twin';
import type { CommandView } from './command-view';
import type { FleetAggregatePage, FleetAggregateQuery } from './fleet-aggregate';
import type { JsonObject } from './json';
import type { Attributes, ConnectionStatus, Lifecycle, TwinDocument } from './twin-document';
import type { AlertFilter, HealthFilter } from './twin-filter';

/**
 * The seam between the REST routes and whatever holds the twins: the stream processor's local
 * stores (processor-backend.ts), the routing layer that forwards to the partition owner, and in
 * unit tests the same ProcessorBackend over the pure fold and an in-memory store
 * (memory-backend.ts).
 *
 * Ids reaching a backend are already valid device ids (shared/ids.ts) and bodies are already
 * validated and free of `__proto__` / `constructor` / `prototype` keys.
 *
 * Errors: implementations throw `TwinfoldError` and the API maps its code to HTTP once:
 * - `TWIN_NOT_FOUND`: a write (other than `registerTwin` and `injectState`) names a twin that
 *   does not exist (no write invents a twin);
 * - `ALREADY_EXISTS`: `registerTwin` for an existing twin;
 * - `VERSION_CONFLICT`: `patchDesired` with an `ifVersion` that is not the twin's current version;
 * - `LIFECYCLE_CONFLICT`: a lifecycle action not allowed from the twin's current lifecycle, or a
 *   desired patch or command for a suspended or decommissioned twin;
 * - `LIMIT_EXCEEDED` / `PAYLOAD_TOO_LARGE`: a write the processor or the bridge would refuse
 *   (depth, keys, bytes of the record or of its downlink, the twin's size after it);
 * - `VALIDATION_ERROR`: a cursor this backend did not issue (`details.field` = `cursor`);
 * - `GONE`: never thrown by a backend; `changesSince` returns `{kind: 'gone'}` instead;
 * - `NOT_READY` (retriable; optional `details.retryAfterSeconds`): stores still restoring, or the
 *   owner of the twin's partition is unknown during a rebalance;
 * - `TIMEOUT`: a bounded wait ran out (`minVersion` not reached, a write's outcome not seen);
 * - `UPSTREAM_ERROR`: the instance a request was forwarded to failed in an unexpected way.
 * Reads return `undefined` for a missing twin or command rather than throwing.
 */
export interface Backend extends TwinReader, TwinWriter, HistoryReader, ReadinessProbe {}

/** Filters of `GET /twins` and `GET /devices`; every given field must match (AND). */
export interface TwinFilter {
  type?: string;
  /** `connection.status`. */
  status?: ConnectionStatus;
  lifecycle?: Lifecycle;
  /** `attributes[key]` must exist and its string form (`String(value)`) equal the given value. */
  attributes?: Readonly<Record<string, string>>;
  /** `traits.health.status` as the document shows it; `UNKNOWN`: a twin without traits. */
  health?: HealthFilter;
  /** An open alert of this type (`any`: any open alert). */
  alert?: AlertFilter;
}

export interface TwinListQuery {
  /** Opaque; from a previous page's `nextCursor`. Absent: the first page. */
  cursor?: string;
  /** 1..1000, already validated. */
  limit: number;
  filter: TwinFilter;
}

export interface TwinPage {
  /** At most `limit` twins, in a stable order (by id). */
  twins: TwinDocument[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /**
   * Set only on one instance's local page (a list forwarded by another instance, which merges the
   * pages): the partitions it covers. Absent on a complete page.
   */
  partitions?: number[];
}

/** Read-your-writes on a single-twin read. */
export interface ReadOptions {
  /** Answer only once the twin has at least this version (absent counts as 0); TIMEOUT otherwise. */
  minVersion?: number;
  /** How long to wait for `minVersion`, in ms (already bounded by the route). */
  waitMs?: number;
}

export type { CommandView } from './command-view';

export interface TwinReader {
  getTwin(id: string, options?: ReadOptions): Promise<TwinDocument | undefined>;
  listTwins(query: TwinListQuery): Promise<TwinPage>;
  /** The twin's commands, newest first; undefined if the twin does not exist. */
  listCommands(id: string): Promise<CommandView[] | undefined>;
  getCommand(id: string, commandId: string): Promise<CommandView | undefined>;
}

/** A telemetry export: the whole range, streamed. */
export type TelemetryStreamQuery = Omit<TelemetryQuery, 'limit' | 'cursor'>;

/**
 * The past of one twin (topology/history/queries.ts) and aggregates over the fleet as it is now.
 * Routed like single-twin reads; the fleet aggregate fans out like a list. A twin that never
 * existed (no twin and no grave) answers undefined, which the routes turn into TWIN_NOT_FOUND.
 */
export interface HistoryReader {
  telemetry(id: string, query: TelemetryQuery): Promise<TelemetryPage | undefined>;
  /**
   * Resolves once the first point (or the end) is known, so every error a request can get comes
   * before its response starts; the points then follow without the range being held in memory.
   */
  telemetryStream(
    id: string,
    query: TelemetryStreamQuery,
  ): Promise<AsyncIterable<TelemetryPoint> | undefined>;
  telemetryAggregate(id: string, query: AggregateQuery): Promise<AggregateBucket[] | undefined>;
  history(id: string, query: HistoryQuery): Promise<HistoryPage | undefined>;
  changesSince(id: string, sinceVersion: number): Promise<ChangesSince | undefined>;
  /** The twin as it was at `atMs`; undefined when it did not exist then (or history does not reach back). */
  twinAt(id: string, atMs: number): Promise<TwinDocument | undefined>;
  aggregateTwins(query: FleetAggregateQuery): Promise<FleetAggregatePage>;
}

/**
 * What a write hands to `device.registry`: one of the registry's ops, or `set-attributes` (sent
 * as an `update` that replaces the attributes).
 */
export const REGISTRY_REQUEST_OPS = [...REGISTRY_OPS, 'set-attributes'] as const;
export type RegistryWriteOp = (typeof REGISTRY_REQUEST_OPS)[number];

export interface RegistryRequest {
  op: RegistryWriteOp;
  id: string;
  type?: string;
  attributes?: Attributes;
  requestedAt: string;
}

export interface NewTwin {
  id: string;
  type: string;
  attributes: Attributes;
}

/** `PUT /twins/{id}`: at least one field; `attributes` replaces the whole map. */
export interface TwinChanges {
  type?: string;
  attributes?: Attributes;
}

export type LifecycleAction = 'suspend' | 'resume' | 'decommission';

/** What a write hands to `device.desired`. */
export interface DesiredPatchRequest {
  id: string;
  /** RFC 7386 merge patch: `null` deletes a field. */
  patch: JsonObject;
  /** The version the caller required (If-Match), if any. */
  ifVersion?: number;
  /**
   * The twin's version once this patch is folded (the version it produced, or the current one when
   * it changed nothing). Read it back with `GET /twins/{id}?minVersion=`.
   */
  version: number;
  requestedAt: string;
}

/** What a write hands to `device.state` (simulation and testing). */
export interface StateInjection {
  id: string;
  state: JsonObject;
  requestedAt: string;
}

/**
 * `POST /twins/{id}/command`: the command input without the ids the backend assigns; `priority`
 * defaults to DEFAULT_COMMAND_PRIORITY, `ttlMs` to COMMAND_TTL_MS.
 */
export type CommandRequest = Pick<CommandInput, 'action' | 'parameters' | 'ttlMs'> &
  Partial<Pick<CommandInput, 'priority'>>;

/**
 * Writes produce to the Kafka input topics and resolve once the broker has acknowledged the
 * record; they return what they produced. The twin reflects the write once the processor has
 * folded it (eventual consistency; watch `version`).
 */
export interface TwinWriter {
  registerTwin(twin: NewTwin): Promise<RegistryRequest>;
  updateTwin(id: string, changes: TwinChanges): Promise<RegistryRequest>;
  /** Produces a delete request; the processor writes the tombstone. */
  deleteTwin(id: string): Promise<RegistryRequest>;
  setLifecycle(id: string, action: LifecycleAction): Promise<RegistryRequest>;
  /** Replaces the whole attribute map. */
  setAttributes(id: string, attributes: Attributes): Promise<RegistryRequest>;
  patchDesired(id: string, patch: JsonObject, ifVersion?: number): Promise<DesiredPatchRequest>;
  injectState(id: string, state: JsonObject): Promise<StateInjection>;
  /** Returns the queued command (status `pending`) with its generated `command_id`. */
  queueCommand(id: string, command: CommandRequest): Promise<CommandView>;
}

export interface Readiness {
  ready: boolean;
  /** Short machine-readable state, e.g. `restoring`, `rebalancing`, `running`. */
  status: string;
  detail?: JsonObject;
  /** Hint for the `Retry-After` header while not ready (seconds). */
  retryAfterSeconds?: number;
}

export interface ReadinessProbe {
  /** Cheap and synchronous: called on every `/readyz` probe. */
  readiness(): Readiness;
}
