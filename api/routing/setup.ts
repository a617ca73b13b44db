import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/logger';
import type { LocalTwinQueries } from '../../topology/local-queries';
import { PartitionOwners } from '../../topology/partition-owners';
import type { StreamProcessor } from '../../topology/stream-processor';
import type { Backend } from '../backend';
import { ForwardMetrics } from './forward-metrics';
import { instancesView, type InstancesView } from './instances-view';
import { PeerClient } from './peer-client';
import { RemoteBackend } from './remote-backend';
import { RoutingBackend } from './routing-backend';

export interface RoutingDeps {
  kafka: Kafka;
  processor: StreamProcessor;
  queries: LocalTwinQueries;
  /** This instance's ProcessorBackend. */
  local: Backend;
  /** This instance's advertised URL (what its join metadata carries). */
  self: string;
  /** The processor's consumer group (the application id). */
  groupId: string;
  forwardTimeoutMs: number;
  ownershipRefreshMs: number;
  writeOutcomeTimeoutMs: number;
  registry: Registry;
  logger: Logger;
}

/** The routing layer of one service instance, wired; `start` before the processor joins the group. */
export interface Routing {
  backend: RoutingBackend;
  owners: PartitionOwners;
  instances: () => InstancesView;
  /** Requests to other instances (fleet questions beyond the Backend's use it too). */
  client: PeerClient;
  start(): Promise<void>;
  /** Stops the map's reads and closes the admin client and idle peer connections. */
  stop(): Promise<void>;
}

/**
 * Builds the ownership map (read from the group with an admin client of its own, refreshed on the
 * processor's `rebalancing` / `joined` events and periodically) and the RoutingBackend over it.
 */
export function createRouting(deps: RoutingDeps): Routing {
  const admin = deps.kafka.admin();
  const owners = new PartitionOwners({
    self: deps.self,
    describeGroup: async () => (await admin.describeGroups([deps.groupId])).groups[0],
    partitionCount: () => deps.processor.partitions,
    refreshMs: deps.ownershipRefreshMs,
    logger: deps.logger.child('ownership'),
  });
  const client = new PeerClient({
    self: deps.self,
    timeoutMs: deps.forwardTimeoutMs,
    metrics: new ForwardMetrics(deps.registry),
  });
  const peers = new Map<string, RemoteBackend>();
  const peer = (url: string): RemoteBackend => {
    let remote = peers.get(url);
    if (!remote) peers.set(url, (remote = new RemoteBackend(client, url, deps.writeOutcomeTimeoutMs)));
    return remote;
  };
  const servesLocally = (partition: number): boolean => deps.queries.serves(partition);
  const backend = new RoutingBackend({ local: deps.local, owners, servesLocally, peer });
  const onRebalancing = (): void => owners.markStale('a rebalance began');
  const onJoined = (): void => owners.joined();
  return {
    backend,
    owners,
    instances: () => instancesView(owners.snapshot(), servesLocally),
    client,
    async start() {
      await admin.connect();
      deps.processor.events.on('rebalancing', onRebalancing);
      deps.processor.events.on('joined', onJoined);
      owners.start();
    },
    async stop() {
      owners.stop();
      deps.processor.events.off('rebalancing', onRebalancing);
      deps.processor.events.off('joined', onJoined);
      client.close();
      await admin.disconnect();
    },
  };
}
