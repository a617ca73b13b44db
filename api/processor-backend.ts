import { randomUUID } from 'node:crypto';
import { TwinfoldError } from '../shared/errors';
import type { JsonLimits } from '../shared/safe-json';
import { inputTopics, type InputKind, type TopicNames } from '../shared/topics';
import type { CommittedChange } from '../topology/commit-notice';
import type { Wait } from '../topology/commit-watch';
import type {
  AggregateBucket,
  AggregateQuery,
  ChangesSince,
  HistoryPage,
  HistoryQueries,
  HistoryQuery,
  TelemetryPage,
  TelemetryPoint,
  TelemetryQuery,
} from '../topology/history/queries';
import type { LocalPage } from '../topology/local-queries';
import {
  DEFAULT_COMMAND_PRIORITY,
  findCommand,
  toTwinDocument,
  type FoldConfig,
  type FoldResult,
  type StoredTwin,
  type TwinState,
} from '../topology/twin';
import type {
  Backend,
  CommandRequest,
  DesiredPatchRequest,
  LifecycleAction,
  NewTwin,
  ReadOptions,
  Readiness,
  RegistryWriteOp,
  RegistryRequest,
  StateInjection,
  TwinChanges,
  TelemetryStreamQuery,
  TwinListQuery,
  TwinPage,
} from './backend';
import { FleetAccumulator, type FleetAggregatePage, type FleetAggregateQuery } from './fleet-aggregate';
import { primed } from './primed';
import { provenanceHeaders } from './provenance';
import { currentRequest } from './routing/request-context';
import { commandView, type CommandView } from './command-view';
import type { InputProducer } from './input-producer';
import type { JsonObject } from './json';
import { decodeCursor, encodeCursor } from './list-cursor';
import type { TwinDocument } from './twin-document';
import { filterableState, matchesFilter } from './twin-filter';
import { checkWrite } from './write-check';
import { desiredPatchVersion } from './write-outcome';

/** How long `?minVersion=` waits when the request gives no `waitMs`. */
export const DEFAULT_MIN_VERSION_WAIT_MS = 5000;

/** Reads of the stores this instance serves (topology/local-queries.ts `LocalTwinQueries`). */
export interface TwinQueries {
  get(id: string): Promise<TwinState | undefined>;
  getStored(id: string): Promise<StoredTwin | undefined>;
  getAtLeast(id: string, minVersion: number, waitMs: number): Promise<TwinState | undefined>;
  list(after: string | undefined, limit: number, accept: (t: TwinState) => boolean): Promise<LocalPage>;
  awaitRequest(requestId: string, timeoutMs: number): Wait<CommittedChange | undefined>;
}

export interface ProcessorBackendOptions {
  producer: InputProducer;
  queries: TwinQueries;
  readiness: () => Readiness;
  topics: TopicNames;
  /** The processor's input limits, which are also the bridge's downlink limits. */
  limits: JsonLimits;
  /** The processor's fold configuration: writes are dry-run with it before they are produced. */
  foldConfig: FoldConfig;
  /** How long a desired patch waits for the fold's verdict. */
  writeOutcomeTimeoutMs: number;
  /** The clock of the dry runs and of `requestedAt`. */
  now?: () => number;
  /** The history of this instance's partitions; absent: none kept (its reads answer HISTORY_DISABLED). */
  history?: HistorySource;
}

/** Where a twin's history is read (topology/local-queries.ts `LocalTwinQueries.history`). */
export interface HistorySource {
  /** The history of the twin's partition; throws NOT_READY when it is not served here. */
  history(id: string): HistoryQueries;
}

/** Twins read per step of a fleet aggregate. */
const AGGREGATE_PAGE = 1000;

/**
 * The Backend of one processor instance: reads from its local stores, writes by producing to the
 * input topics. Cross-instance routing wraps this (api/routing/), so a call reaches here on the
 * instance that owns the twin's partition; one that does not throws NOT_READY.
 *
 * Every write is decided here before it is produced (write-check.ts): the owner folds it into the
 * twin as stored (a dry run of the processor's own fold), so what the fold would ignore (an unknown
 * twin, a lifecycle that forbids it) or what the processor or bridge would refuse (limits) gets its
 * 4xx at once instead of a 202 that never takes effect. A desired patch also waits (up to
 * `writeOutcomeTimeoutMs`) for the real fold, so its `If-Match` is decided in topic order and the
 * reply carries the version it produced.
 */
export class ProcessorBackend implements Backend {
  private readonly now: () => number;
  private readonly topicOf: ReadonlyMap<InputKind, string>;

  constructor(private readonly options: ProcessorBackendOptions) {
    this.now = options.now ?? Date.now;
    this.topicOf = new Map(inputTopics(options.topics).map(({ topic, kind }) => [kind, topic]));
  }

  readiness(): Readiness {
    return this.options.readiness();
  }

  async getTwin(id: string, options: ReadOptions = {}): Promise<TwinDocument | undefined> {
    const { queries } = this.options;
    const state =
      options.minVersion === undefined
        ? await queries.get(id)
        : await queries.getAtLeast(id, options.minVersion, options.waitMs ?? DEFAULT_MIN_VERSION_WAIT_MS);
    return state && toTwinDocument(state);
  }

  async listTwins(query: TwinListQuery): Promise<TwinPage> {
    const { twins, more, partitions } = await this.options.queries.list(
      decodeCursor(query.cursor),
      query.limit,
      (t) => matchesFilter(query.filter, filterableState(query.filter, t)),
    );
    const last = twins[twins.length - 1];
    return {
      twins: twins.map((twin) => toTwinDocument(twin)),
      nextCursor: more && last ? encodeCursor(last.id) : null,
      partitions,
    };
  }

  async listCommands(id: string): Promise<CommandView[] | undefined> {
    const state = await this.options.queries.get(id);
    // Newest first; the same instant in reverse arrival (the queue keeps arrival order per priority).
    return state?.commands
      .map(commandView)
      .reverse()
      .sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
  }

  async getCommand(id: string, commandId: string): Promise<CommandView | undefined> {
    const command = (await this.options.queries.get(id))?.commands.find((c) => c.commandId === commandId);
    return command && commandView(command);
  }

  /**
   * The history queries, once the twin is known to have existed here (a grave counts): undefined
   * for a twin never seen. Throws NOT_READY like every read when the partition is not served here.
   */
  private async historyOf(id: string): Promise<HistoryQueries | undefined> {
    const { history, queries } = this.options;
    if (!history) throw new TwinfoldError('HISTORY_DISABLED', 'this backend keeps no history (HISTORY=off)');
    const stored = await queries.getStored(id);
    return stored === undefined ? undefined : history.history(id);
  }

  async telemetry(id: string, query: TelemetryQuery): Promise<TelemetryPage | undefined> {
    return (await this.historyOf(id))?.telemetry(id, query);
  }

  async telemetryStream(
    id: string,
    query: TelemetryStreamQuery,
  ): Promise<AsyncIterable<TelemetryPoint> | undefined> {
    const history = await this.historyOf(id);
    return history && primed(history.telemetryStream(id, query));
  }

  async telemetryAggregate(id: string, query: AggregateQuery): Promise<AggregateBucket[] | undefined> {
    return (await this.historyOf(id))?.aggregate(id, query);
  }

  async history(id: string, query: HistoryQuery): Promise<HistoryPage | undefined> {
    return (await this.historyOf(id))?.history(id, query);
  }

  async changesSince(id: string, sinceVersion: number): Promise<ChangesSince | undefined> {
    return (await this.historyOf(id))?.changesSince(id, sinceVersion);
  }

  async twinAt(id: string, atMs: number): Promise<TwinDocument | undefined> {
    return (await this.historyOf(id))?.twinAt(id, atMs);
  }

  /**
   * The fleet aggregate of this instance's partitions, read page by page (the list's own scan and
   * filter), so memory holds groups, not twins. NOT_READY when the partitions change meanwhile.
   */
  async aggregateTwins(query: FleetAggregateQuery): Promise<FleetAggregatePage> {
    const accumulator = new FleetAccumulator(query);
    let after: string | undefined;
    let partitions: number[] | undefined;
    for (;;) {
      const page = await this.options.queries.list(after, AGGREGATE_PAGE, (t) =>
        matchesFilter(query.filter, t),
      );
      if (partitions !== undefined && partitions.join() !== page.partitions.join()) {
        throw new TwinfoldError(
          'NOT_READY',
          'partitions moved while the fleet was aggregated; retry shortly',
          {
            retriable: true,
            details: { retryAfterSeconds: 1 },
          },
        );
      }
      partitions = page.partitions;
      for (const twin of page.twins) accumulator.add(twin);
      after = page.twins[page.twins.length - 1]?.id;
      if (!page.more || after === undefined) return { groups: accumulator.page(), partitions };
    }
  }

  /** Decides the write against the twin as stored now, then produces it; returns the dry run. */
  private async write(kind: InputKind, id: string, record: JsonObject): Promise<FoldResult> {
    const { queries, limits, foldConfig, producer } = this.options;
    const stored = await queries.getStored(id);
    const result = checkWrite(stored, kind, id, record, { limits, foldConfig, nowMs: this.now() });
    await producer.send(this.topicOf.get(kind)!, id, record, provenanceHeaders(currentRequest()));
    return result;
  }

  private async registry(
    op: RegistryWriteOp,
    id: string,
    fields: Pick<RegistryRequest, 'type' | 'attributes'> = {},
  ): Promise<RegistryRequest> {
    const replaceAttributes = fields.attributes !== undefined && op !== 'create';
    await this.write('registry', id, {
      op: op === 'set-attributes' ? 'update' : op,
      ...fields,
      ...(replaceAttributes ? { replaceAttributes } : {}),
      requestId: randomUUID(),
    });
    return { op, id, ...fields, requestedAt: new Date(this.now()).toISOString() };
  }

  async registerTwin({ id, type, attributes }: NewTwin): Promise<RegistryRequest> {
    if (await this.options.queries.get(id))
      throw new TwinfoldError('ALREADY_EXISTS', `twin ${id} already exists`);
    return this.registry('create', id, { type, attributes });
  }

  /** `attributes`, when given, replace the whole map. */
  updateTwin(id: string, changes: TwinChanges): Promise<RegistryRequest> {
    return this.registry('update', id, changes);
  }

  deleteTwin(id: string): Promise<RegistryRequest> {
    return this.registry('delete', id);
  }

  setLifecycle(id: string, action: LifecycleAction): Promise<RegistryRequest> {
    return this.registry(action, id);
  }

  setAttributes(id: string, attributes: TwinDocument['attributes']): Promise<RegistryRequest> {
    return this.registry('set-attributes', id, { attributes });
  }

  async patchDesired(id: string, patch: JsonObject, ifVersion?: number): Promise<DesiredPatchRequest> {
    const { queries, writeOutcomeTimeoutMs } = this.options;
    const requestedAt = new Date(this.now()).toISOString();
    const requestId = randomUUID();
    const record = { patch, ...(ifVersion === undefined ? {} : { ifVersion }), requestId };
    const outcome = queries.awaitRequest(requestId, writeOutcomeTimeoutMs);
    try {
      await this.write('desired', id, record);
    } catch (err) {
      outcome.cancel();
      throw err;
    }
    const version = desiredPatchVersion(
      id,
      requestId,
      ifVersion,
      await outcome.promise,
      writeOutcomeTimeoutMs,
    );
    return { id, patch, ...(ifVersion === undefined ? {} : { ifVersion }), version, requestedAt };
  }

  async injectState(id: string, state: JsonObject): Promise<StateInjection> {
    await this.write('state', id, { reported: state });
    return { id, state, requestedAt: new Date(this.now()).toISOString() };
  }

  /** The reply is the command as queued (`pending`); it is delivered once the device is online. */
  async queueCommand(id: string, command: CommandRequest): Promise<CommandView> {
    const commandId = randomUUID();
    const record: JsonObject = {
      command_id: commandId,
      action: command.action,
      parameters: command.parameters,
      priority: command.priority ?? DEFAULT_COMMAND_PRIORITY,
    };
    if (command.ttlMs !== undefined) record.ttl = Math.ceil(command.ttlMs / 1000);
    const result = await this.write('command', id, record);
    const queued = findCommand(result.state?.commands ?? [], commandId);
    if (queued === undefined) throw new TwinfoldError('INTERNAL', `command ${commandId} was not queued`);
    const { deliveredAt: _deliveredAt, ...rest } = queued;
    return commandView({ ...rest, status: 'pending', attempts: 0 });
  }
}
