import { randomUUID } from 'node:crypto';
import { TwinfoldError } from '../shared/errors';
import type {
  Backend,
  CommandView,
  DesiredPatchRequest,
  LifecycleAction,
  NewCommand,
  NewTwin,
  Readiness,
  RegistryWriteOp,
  RegistryRequest,
  StateInjection,
  TwinChanges,
  TwinListQuery,
  TwinPage,
} from './backend';
import type { JsonObject } from './json';
import { computeDelta, mergePatch } from '../topology/twin';
import { isForbiddenKey } from '../shared/safe-json';
import { decodeCursor, encodeCursor } from './list-cursor';
import type { Attributes, PublicFieldMeta, TwinDocument } from './twin-document';
import { matchesFilter } from './twin-filter';

export interface MemoryBackendOptions {
  now?: () => Date;
  /** Default command time to live; 1 hour. */
  defaultTtlMs?: number;
  /** Default command priority; 5 (middle of the API's 0..9). */
  defaultPriority?: number;
}

/**
 * A Backend over two Maps, for unit tests and local experiments; NOT for production (no Kafka,
 * no persistence). Writes take effect immediately, as if the processor had folded them at once,
 * so tests can read their own writes. Everything returned is a copy.
 */
export class MemoryBackend implements Backend {
  private readonly twins = new Map<string, TwinDocument>();
  private readonly commands = new Map<string, CommandView[]>();
  private readinessState: Readiness = { ready: true, status: 'running' };
  private readonly now: () => Date;
  private readonly defaultTtlMs: number;
  private readonly defaultPriority: number;

  constructor(options: MemoryBackendOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.defaultTtlMs = options.defaultTtlMs ?? 3_600_000;
    this.defaultPriority = options.defaultPriority ?? 5;
  }

  /** Test hook: what `readiness()` reports from now on. */
  setReadiness(readiness: Readiness): void {
    this.readinessState = { ...readiness };
  }

  /** Test hook: stores a twin document as is (e.g. one that is online). */
  putTwin(twin: TwinDocument): void {
    this.twins.set(twin.id, structuredClone(twin));
  }

  readiness(): Readiness {
    return { ...this.readinessState };
  }

  async getTwin(id: string): Promise<TwinDocument | undefined> {
    const twin = this.twins.get(id);
    return twin && structuredClone(twin);
  }

  async listTwins({ cursor, limit, filter }: TwinListQuery): Promise<TwinPage> {
    const after = decodeCursor(cursor);
    const matching = [...this.twins.values()]
      .filter((t) => after === undefined || t.id > after)
      .filter((t) => matchesFilter(filter, t))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const twins = matching.slice(0, limit).map((t) => structuredClone(t));
    const last = twins[twins.length - 1];
    return { twins, nextCursor: matching.length > limit && last ? encodeCursor(last.id) : null };
  }

  async listCommands(id: string): Promise<CommandView[] | undefined> {
    if (!this.twins.has(id)) return undefined;
    return structuredClone([...(this.commands.get(id) ?? [])].reverse());
  }

  async getCommand(id: string, commandId: string): Promise<CommandView | undefined> {
    const command = this.commands.get(id)?.find((c) => c.commandId === commandId);
    return command && structuredClone(command);
  }

  async registerTwin({ id, type, attributes }: NewTwin): Promise<RegistryRequest> {
    if (this.twins.has(id)) throw new TwinfoldError('ALREADY_EXISTS', `twin ${id} already exists`);
    const at = this.now().toISOString();
    this.twins.set(id, {
      id,
      type,
      lifecycle: 'active',
      connection: { status: 'unknown', since: null, lastSeen: null },
      reported: {},
      desired: {},
      delta: {},
      metadata: { reported: {}, desired: {} },
      attributes: structuredClone(attributes),
      version: 1,
      commands: { pending: 0 },
      createdAt: at,
      updatedAt: at,
    });
    return this.request('create', id, { type, attributes });
  }

  async updateTwin(id: string, changes: TwinChanges): Promise<RegistryRequest> {
    this.change(id, (t) => {
      if (changes.type !== undefined) t.type = changes.type;
      if (changes.attributes !== undefined) t.attributes = structuredClone(changes.attributes);
    });
    return this.request('update', id, changes);
  }

  async deleteTwin(id: string): Promise<RegistryRequest> {
    this.require(id);
    this.twins.delete(id);
    this.commands.delete(id);
    return this.request('delete', id, {});
  }

  async setLifecycle(id: string, action: LifecycleAction): Promise<RegistryRequest> {
    const [from, to] =
      action === 'suspend' ? (['active', 'suspended'] as const) : (['suspended', 'active'] as const);
    const twin = this.require(id);
    if (twin.lifecycle !== from) {
      throw new TwinfoldError('LIFECYCLE_CONFLICT', `cannot ${action} twin ${id}: it is ${twin.lifecycle}`);
    }
    this.change(id, (t) => (t.lifecycle = to));
    return this.request(action, id, {});
  }

  async setAttributes(id: string, attributes: Attributes): Promise<RegistryRequest> {
    this.change(id, (t) => (t.attributes = structuredClone(attributes)));
    return this.request('set-attributes', id, { attributes });
  }

  async patchDesired(id: string, patch: JsonObject, ifVersion?: number): Promise<DesiredPatchRequest> {
    const current = this.require(id);
    if (ifVersion !== undefined && ifVersion !== current.version) {
      throw new TwinfoldError(
        'VERSION_CONFLICT',
        `twin ${id} is at version ${current.version}, not ${ifVersion}`,
      );
    }
    const twin = this.change(id, (t) => {
      t.desired = mergePatch(t.desired, patch);
      t.metadata.desired = stamp(t.metadata.desired, patch, t);
    });
    const request: DesiredPatchRequest = {
      id,
      patch: structuredClone(patch),
      version: twin.version,
      requestedAt: twin.updatedAt,
    };
    if (ifVersion !== undefined) request.ifVersion = ifVersion;
    return request;
  }

  async injectState(id: string, state: JsonObject): Promise<StateInjection> {
    const twin = this.change(id, (t) => {
      t.reported = mergePatch(t.reported, state);
      t.metadata.reported = stamp(t.metadata.reported, state, t);
    });
    return { id, state: structuredClone(state), requestedAt: twin.updatedAt };
  }

  async queueCommand(id: string, command: NewCommand): Promise<CommandView> {
    const twin = this.require(id);
    if (twin.lifecycle !== 'active') {
      throw new TwinfoldError(
        'LIFECYCLE_CONFLICT',
        `twin ${id} is ${twin.lifecycle}; it accepts no commands`,
      );
    }
    const now = this.now();
    const queued: CommandView = {
      commandId: `cmd-${randomUUID()}`,
      deviceId: id,
      action: command.action,
      parameters: structuredClone(command.parameters),
      priority: command.priority ?? this.defaultPriority,
      status: 'pending',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + (command.ttlMs ?? this.defaultTtlMs)).toISOString(),
      updatedAt: now.toISOString(),
    };
    this.commands.set(id, [...(this.commands.get(id) ?? []), queued]);
    this.change(id, (t) => (t.commands.pending += 1));
    return structuredClone(queued);
  }

  private require(id: string): TwinDocument {
    const twin = this.twins.get(id);
    if (!twin) throw new TwinfoldError('TWIN_NOT_FOUND', `twin ${id} not found`);
    return twin;
  }

  /** Applies one change like the processor would: bump version and updatedAt, recompute delta. */
  private change(id: string, apply: (twin: TwinDocument) => void): TwinDocument {
    const twin = this.require(id);
    twin.version += 1;
    twin.updatedAt = this.now().toISOString();
    apply(twin);
    twin.delta = computeDelta(twin.reported, twin.desired);
    return structuredClone(twin);
  }

  private request(op: RegistryWriteOp, id: string, fields: TwinChanges): RegistryRequest {
    return { op, id, ...structuredClone(fields), requestedAt: this.now().toISOString() };
  }
}

/** Field metadata after `patch`: changed fields carry the change's time and version. */
function stamp(
  meta: Record<string, PublicFieldMeta>,
  patch: JsonObject,
  { updatedAt: timestamp, version }: TwinDocument,
): Record<string, PublicFieldMeta> {
  const out = { ...meta };
  for (const [key, value] of Object.entries(patch)) {
    if (isForbiddenKey(key)) continue;
    if (value === null) delete out[key];
    else out[key] = { timestamp, version };
  }
  return out;
}
