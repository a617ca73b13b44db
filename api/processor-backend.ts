import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { TwinfoldError } from '../shared/errors';
import type { TopicNames } from '../shared/topics';
import type { LocalTwinQueries } from '../topology/local-queries';
import type { StreamProcessor } from '../topology/stream-processor';
import { toTwinDocument, type CommandEntry, type TwinState } from '../topology/twin';
import type {
  Backend,
  CommandView,
  DesiredPatchRequest,
  LifecycleAction,
  NewCommand,
  NewTwin,
  ReadOptions,
  Readiness,
  RegistryWriteOp,
  RegistryRequest,
  StateInjection,
  TwinChanges,
  TwinListQuery,
  TwinPage,
} from './backend';
import type { JsonObject } from './json';
import { decodeCursor, encodeCursor } from './list-cursor';
import type { Attributes, TwinDocument } from './twin-document';
import { matchesFilter } from './twin-filter';
import { desiredPatchVersion } from './write-outcome';

/** How long `?minVersion=` waits when the request gives no `waitMs`. */
export const DEFAULT_MIN_VERSION_WAIT_MS = 5000;

const COMMAND_STATUS: Record<CommandEntry['status'], CommandView['status']> = {
  PENDING: 'pending',
  DELIVERED: 'delivered',
  ACKNOWLEDGED: 'success',
  FAILED: 'failed',
  EXPIRED: 'expired',
};

function commandView(deviceId: string, c: CommandEntry): CommandView {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    commandId: c.commandId,
    deviceId,
    action: c.action,
    parameters: c.parameters,
    priority: c.priority,
    status: COMMAND_STATUS[c.status],
    createdAt: iso(c.createdAt),
    expiresAt: iso(c.expiresAt),
    updatedAt: iso(c.completedAt ?? c.deliveredAt ?? c.createdAt),
    ...(c.result === undefined ? {} : { result: c.result }),
  };
}

/**
 * The Backend of one processor instance: reads from its local stores, writes by producing to the
 * input topics (keyed by device id, acks=all, idempotent). Cross-instance routing wraps this
 * (api/routing/), so a call reaches here on the instance that owns the twin's partition; one that
 * does not throws NOT_READY.
 *
 * A desired patch waits (up to `writeOutcomeTimeoutMs`) for this instance's processor to fold it,
 * so its `If-Match` is decided by the fold, in topic order, and the reply carries the version it
 * produced.
 */
export class ProcessorBackend implements Backend {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly processor: StreamProcessor,
    private readonly queries: LocalTwinQueries,
    private readonly topics: TopicNames,
    private readonly defaultCommandTtlMs: number,
    private readonly writeOutcomeTimeoutMs = 10_000,
  ) {
    this.producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  readiness(): Readiness {
    const status = this.processor.lifecycle.state;
    const ready = status === 'running';
    return { ready, status, ...(ready ? {} : { retryAfterSeconds: 1 }) };
  }

  async getTwin(id: string, options: ReadOptions = {}): Promise<TwinDocument | undefined> {
    const state =
      options.minVersion === undefined
        ? await this.queries.get(id)
        : await this.queries.getAtLeast(
            id,
            options.minVersion,
            options.waitMs ?? DEFAULT_MIN_VERSION_WAIT_MS,
          );
    return state && toTwinDocument(state);
  }

  async listTwins(query: TwinListQuery): Promise<TwinPage> {
    const { twins, more, partitions } = await this.queries.list(
      decodeCursor(query.cursor),
      query.limit,
      (t) => matchesFilter(query.filter, t),
    );
    const last = twins[twins.length - 1];
    return {
      twins: twins.map(toTwinDocument),
      nextCursor: more && last ? encodeCursor(last.id) : null,
      partitions,
    };
  }

  async listCommands(id: string): Promise<CommandView[] | undefined> {
    const state = await this.queries.get(id);
    return state?.commands
      .map((c) => commandView(id, c))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  async getCommand(id: string, commandId: string): Promise<CommandView | undefined> {
    const command = (await this.queries.get(id))?.commands.find((c) => c.commandId === commandId);
    return command && commandView(id, command);
  }

  private async existing(id: string): Promise<TwinState> {
    const state = await this.queries.get(id);
    if (!state) throw new TwinfoldError('TWIN_NOT_FOUND', `twin ${id} does not exist`);
    return state;
  }

  private async send(topic: string, id: string, value: JsonObject): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages: [{ key: id, value: JSON.stringify(value) }] });
  }

  private async registry(
    op: RegistryWriteOp,
    id: string,
    extra: { type?: string; attributes?: Attributes },
  ): Promise<RegistryRequest> {
    const request: RegistryRequest = { op, id, ...extra, requestedAt: new Date().toISOString() };
    const { op: _op, id: _id, requestedAt: _at, ...rest } = request;
    await this.send(this.topics.registry, id, {
      op: op === 'set-attributes' ? 'update' : op,
      ...rest,
      replaceAttributes: op === 'set-attributes',
      requestId: randomUUID(),
    });
    return request;
  }

  async registerTwin(twin: NewTwin): Promise<RegistryRequest> {
    if (await this.queries.get(twin.id))
      throw new TwinfoldError('ALREADY_EXISTS', `twin ${twin.id} already exists`);
    return this.registry('create', twin.id, { type: twin.type, attributes: twin.attributes });
  }

  async updateTwin(id: string, changes: TwinChanges): Promise<RegistryRequest> {
    await this.existing(id);
    return this.registry(changes.attributes ? 'set-attributes' : 'update', id, changes);
  }

  async deleteTwin(id: string): Promise<RegistryRequest> {
    await this.existing(id);
    return this.registry('delete', id, {});
  }

  async setLifecycle(id: string, action: LifecycleAction): Promise<RegistryRequest> {
    const twin = await this.existing(id);
    if (twin.lifecycle === 'decommissioned')
      throw new TwinfoldError('LIFECYCLE_CONFLICT', `twin ${id} is decommissioned`);
    return this.registry(action, id, {});
  }

  async setAttributes(id: string, attributes: Attributes): Promise<RegistryRequest> {
    await this.existing(id);
    return this.registry('set-attributes', id, { attributes });
  }

  async patchDesired(id: string, patch: JsonObject, ifVersion?: number): Promise<DesiredPatchRequest> {
    const twin = await this.queries.get(id);
    const current = twin?.version ?? 0;
    // A fast answer for a stale If-Match; the fold decides the ones that race (same ifVersion).
    if (ifVersion !== undefined && ifVersion !== current) {
      throw new TwinfoldError('VERSION_CONFLICT', `twin ${id} is at version ${current}, not ${ifVersion}`);
    }
    const requestedAt = new Date().toISOString();
    const requestId = randomUUID();
    const outcome = this.queries.awaitRequest(requestId, this.writeOutcomeTimeoutMs);
    try {
      await this.send(this.topics.desired, id, {
        patch,
        ...(ifVersion === undefined ? {} : { ifVersion }),
        requestId,
      });
    } catch (err) {
      outcome.cancel();
      throw err;
    }
    const version = desiredPatchVersion(
      id,
      requestId,
      ifVersion,
      await outcome.promise,
      this.writeOutcomeTimeoutMs,
    );
    return { id, patch, ...(ifVersion === undefined ? {} : { ifVersion }), version, requestedAt };
  }

  async injectState(id: string, state: JsonObject): Promise<StateInjection> {
    await this.send(this.topics.state, id, { reported: state });
    return { id, state, requestedAt: new Date().toISOString() };
  }

  async queueCommand(id: string, command: NewCommand): Promise<CommandView> {
    const commandId = randomUUID();
    const now = Date.now();
    const priority = command.priority ?? 0;
    const value: JsonObject = {
      command_id: commandId,
      action: command.action,
      parameters: command.parameters,
      priority,
    };
    if (command.ttlMs !== undefined) value.ttl = Math.ceil(command.ttlMs / 1000);
    await this.send(this.topics.commands, id, value);
    const expiresAt = new Date(now + (command.ttlMs ?? this.defaultCommandTtlMs)).toISOString();
    return {
      commandId,
      deviceId: id,
      action: command.action,
      parameters: command.parameters,
      priority,
      status: 'pending',
      createdAt: new Date(now).toISOString(),
      expiresAt,
      updatedAt: new Date(now).toISOString(),
    };
  }
}
