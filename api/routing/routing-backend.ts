import { TwinfoldError, isTwinfoldError } from '../../shared/errors';
import type { KeyQueryMetadata, OwnershipSnapshot } from '../../topology/partition-owners';
import type {
  Backend,
  CommandView,
  DesiredPatchRequest,
  CommandRequest,
  LifecycleAction,
  NewTwin,
  ReadOptions,
  Readiness,
  RegistryRequest,
  StateInjection,
  TwinChanges,
  TwinListQuery,
  TwinPage,
  TelemetryStreamQuery,
  HistoryReader,
  TwinReader,
  TwinWriter,
} from '../backend';
import type {
  AggregateBucket,
  AggregateQuery,
  ChangesSince,
  HistoryPage,
  HistoryQuery,
  TelemetryPage,
  TelemetryPoint,
  TelemetryQuery,
} from '../../topology/history/queries';
import type { FleetAggregatePage, FleetAggregateQuery } from '../fleet-aggregate';
import type { JsonObject } from '../json';
import type { Attributes, TwinDocument } from '../twin-document';
import { mergeFleetPages, mergePages } from './merge-pages';
import { currentRequest } from './request-context';
import { decideRoute } from './route-decision';

type TwinAccess = TwinReader & TwinWriter & HistoryReader;

/** The part of PartitionOwners routing reads. */
export interface OwnershipView {
  readonly self: string;
  queryMetadataForKey(key: string): KeyQueryMetadata;
  snapshot(): OwnershipSnapshot;
}

export interface RoutingBackendOptions {
  /** This instance's Backend over its own stores (ProcessorBackend). */
  local: Backend;
  owners: OwnershipView;
  /** Whether this instance serves `partition` right now (LocalTwinQueries.serves). */
  servesLocally: (partition: number) => boolean;
  /** The Backend of the instance at `url` (RemoteBackend), reused across calls. */
  peer: (url: string) => TwinAccess;
}

const RETRY_AFTER_SECONDS = 1;

function notReady(reason: string, details: Record<string, unknown> = {}): TwinfoldError {
  return new TwinfoldError('NOT_READY', reason, {
    retriable: true,
    details: { ...details, retryAfterSeconds: RETRY_AFTER_SECONDS },
  });
}

/** A fan-out call that failed: the caller's own mistakes pass through, anything else is a 503. */
function listFailure(url: string, err: unknown): TwinfoldError {
  if (isTwinfoldError(err) && err.httpStatus < 500) return err;
  const message = err instanceof Error ? err.message : String(err);
  return notReady(`instance ${url} could not list its partitions (${message}); retry shortly`, {
    instance: url,
  });
}

/**
 * The Backend every route talks to on a service instance: any instance answers for any twin.
 * A single-twin call (read or write) is served here when this instance runs the twin's partition,
 * else forwarded to the owner named by the group's map (route-decision.ts: one hop, never a target
 * taken from the request). A list fans out to every owning instance and merges their local pages
 * (merge-pages.ts), all or nothing. Whatever cannot be answered right is NOT_READY (503).
 */
export class RoutingBackend implements Backend {
  constructor(private readonly options: RoutingBackendOptions) {}

  readiness(): Readiness {
    return this.options.local.readiness();
  }

  private route<T>(id: string, call: (backend: TwinAccess) => Promise<T>): Promise<T> {
    const { local, peer } = this.options;
    return this.routeTwin(
      id,
      () => call(local),
      (url) => call(peer(url)),
    );
  }

  /**
   * A single-twin call: `local` when this instance runs the twin's partition, else `remote` at the
   * owner (one hop); NOT_READY when neither can answer right now.
   */
  async routeTwin<T>(id: string, local: () => Promise<T>, remote: (url: string) => Promise<T>): Promise<T> {
    const { owners, servesLocally } = this.options;
    const { partition, activeHost } = owners.queryMetadataForKey(id);
    if (partition < 0) throw notReady('the partition count is not known yet (starting)');
    const decision = decideRoute({
      partition,
      servedHere: servesLocally(partition),
      forwarded: currentRequest().forwarded,
      owner: activeHost,
      self: owners.self,
    });
    switch (decision.kind) {
      case 'local':
        return local();
      case 'forward':
        return remote(decision.url);
      case 'unavailable':
        throw notReady(decision.reason, { partition });
    }
  }

  getTwin(id: string, options?: ReadOptions): Promise<TwinDocument | undefined> {
    return this.route(id, (b) => b.getTwin(id, options));
  }

  async listTwins(query: TwinListQuery): Promise<TwinPage> {
    const { local, peer } = this.options;
    // The forwarding instance merges: answer with this instance's page and what it covers.
    if (currentRequest().forwarded) return local.listTwins(query);
    const { answers, partitionCount } = await this.fanOut(
      () => local.listTwins(query),
      (url) => peer(url).listTwins(query),
    );
    return mergePages(answers, query.limit, partitionCount);
  }

  /**
   * A fleet question put to every instance that owns partitions (this one through `local`, the
   * others through `remote`), all or nothing: a failed call is NOT_READY, so is a rebalance. The
   * caller merges the local answers and checks they cover every partition (merge-pages.ts).
   */
  async fanOut<T>(
    local: () => Promise<T>,
    remote: (url: string) => Promise<T>,
  ): Promise<{ answers: T[]; partitionCount: number }> {
    const { owners } = this.options;
    const snapshot = owners.snapshot();
    if (snapshot.state !== 'current') {
      throw notReady(`partition ownership is ${snapshot.state} (${snapshot.reason ?? 'rebalancing'})`);
    }
    const urls = [...new Set(snapshot.owners.values())].sort();
    const answers = await Promise.all(
      urls.map((url) =>
        (url === owners.self ? local() : remote(url)).catch((err: unknown) => {
          throw listFailure(url, err);
        }),
      ),
    );
    return { answers, partitionCount: snapshot.partitionCount };
  }

  async aggregateTwins(query: FleetAggregateQuery): Promise<FleetAggregatePage> {
    if (currentRequest().forwarded) return this.options.local.aggregateTwins(query);
    const { local, peer } = this.options;
    const { answers, partitionCount } = await this.fanOut(
      () => local.aggregateTwins(query),
      (url) => peer(url).aggregateTwins(query),
    );
    return { groups: mergeFleetPages(answers, query, partitionCount) };
  }

  telemetry(id: string, query: TelemetryQuery): Promise<TelemetryPage | undefined> {
    return this.route(id, (b) => b.telemetry(id, query));
  }

  telemetryStream(
    id: string,
    query: TelemetryStreamQuery,
  ): Promise<AsyncIterable<TelemetryPoint> | undefined> {
    return this.route(id, (b) => b.telemetryStream(id, query));
  }

  telemetryAggregate(id: string, query: AggregateQuery): Promise<AggregateBucket[] | undefined> {
    return this.route(id, (b) => b.telemetryAggregate(id, query));
  }

  history(id: string, query: HistoryQuery): Promise<HistoryPage | undefined> {
    return this.route(id, (b) => b.history(id, query));
  }

  changesSince(id: string, sinceVersion: number): Promise<ChangesSince | undefined> {
    return this.route(id, (b) => b.changesSince(id, sinceVersion));
  }

  twinAt(id: string, atMs: number): Promise<TwinDocument | undefined> {
    return this.route(id, (b) => b.twinAt(id, atMs));
  }

  listCommands(id: string): Promise<CommandView[] | undefined> {
    return this.route(id, (b) => b.listCommands(id));
  }

  getCommand(id: string, commandId: string): Promise<CommandView | undefined> {
    return this.route(id, (b) => b.getCommand(id, commandId));
  }

  registerTwin(twin: NewTwin): Promise<RegistryRequest> {
    return this.route(twin.id, (b) => b.registerTwin(twin));
  }

  updateTwin(id: string, changes: TwinChanges): Promise<RegistryRequest> {
    return this.route(id, (b) => b.updateTwin(id, changes));
  }

  deleteTwin(id: string): Promise<RegistryRequest> {
    return this.route(id, (b) => b.deleteTwin(id));
  }

  setLifecycle(id: string, action: LifecycleAction): Promise<RegistryRequest> {
    return this.route(id, (b) => b.setLifecycle(id, action));
  }

  setAttributes(id: string, attributes: Attributes): Promise<RegistryRequest> {
    return this.route(id, (b) => b.setAttributes(id, attributes));
  }

  patchDesired(id: string, patch: JsonObject, ifVersion?: number): Promise<DesiredPatchRequest> {
    return this.route(id, (b) => b.patchDesired(id, patch, ifVersion));
  }

  injectState(id: string, state: JsonObject): Promise<StateInjection> {
    return this.route(id, (b) => b.injectState(id, state));
  }

  queueCommand(id: string, command: CommandRequest): Promise<CommandView> {
    return this.route(id, (b) => b.queueCommand(id, command));
  }
}
