import { isTwinfoldError } from '../../shared/errors';
import type {
  CommandView,
  DesiredPatchRequest,
  CommandRequest,
  LifecycleAction,
  NewTwin,
  ReadOptions,
  RegistryRequest,
  StateInjection,
  TwinChanges,
  TwinListQuery,
  TwinPage,
  TwinReader,
  TwinWriter,
} from '../backend';
import { etagFor } from '../conditional';
import type { JsonObject } from '../json';
import { API_PREFIX } from '../routes/common';
import type { Attributes, TwinDocument } from '../twin-document';
import { ATTRIBUTE_FILTER_PREFIX } from '../validate';
import type { PeerClient, PeerRequest } from './peer-client';

/** `GET /twins` query parameters of a list query (the inverse of routes/common.ts parseListQuery). */
export function listQueryParams(query: TwinListQuery): Record<string, string> {
  const { filter } = query;
  const params: Record<string, string> = { limit: String(query.limit) };
  if (query.cursor !== undefined) params.cursor = query.cursor;
  if (filter.type !== undefined) params.type = filter.type;
  if (filter.status !== undefined) params.status = filter.status;
  if (filter.lifecycle !== undefined) params.lifecycle = filter.lifecycle;
  if (filter.health !== undefined) params.health = filter.health;
  if (filter.alert !== undefined) params.alert = filter.alert;
  for (const [k, v] of Object.entries(filter.attributes ?? {})) params[`${ATTRIBUTE_FILTER_PREFIX}${k}`] = v;
  return params;
}

const twinPath = (id: string, rest = ''): string => `${API_PREFIX}/twins/${encodeURIComponent(id)}${rest}`;

/** undefined instead of the 404 of a missing twin or command, as the TwinReader contract says. */
async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isTwinfoldError(err) && (err.code === 'TWIN_NOT_FOUND' || err.code === 'COMMAND_NOT_FOUND'))
      return undefined;
    throw err;
  }
}

/**
 * Another instance's Backend, over its REST API: each method is the request the route for it
 * takes, sent with the one-hop marker (PeerClient). The peer answers from its own stores, or 503.
 * Trusts the peer's answers to have the shapes its routes document (same code, same version).
 */
export class RemoteBackend implements TwinReader, TwinWriter {
  /**
   * @param outcomeWaitMs how long the peer may wait for a desired patch's fold
   *   (WRITE_OUTCOME_TIMEOUT_MS), granted on top of the forward timeout.
   */
  constructor(
    private readonly client: PeerClient,
    readonly url: string,
    private readonly outcomeWaitMs = 0,
  ) {}

  private read<T>(operation: string, path: string, extra: Partial<PeerRequest> = {}): Promise<T> {
    return this.client.send(this.url, {
      operation,
      method: 'GET',
      path,
      idempotent: true,
      ...extra,
    }) as Promise<T>;
  }

  private write<T>(
    operation: string,
    method: PeerRequest['method'],
    path: string,
    body?: JsonObject,
    extra: Partial<PeerRequest> = {},
  ): Promise<T> {
    const request: PeerRequest = { operation, method, path, idempotent: false, ...extra };
    if (body !== undefined) request.body = body;
    return this.client.send(this.url, request) as Promise<T>;
  }

  getTwin(id: string, options: ReadOptions = {}): Promise<TwinDocument | undefined> {
    const query: Record<string, string> = {};
    if (options.minVersion !== undefined) query.minVersion = String(options.minVersion);
    if (options.waitMs !== undefined) query.waitMs = String(options.waitMs);
    const extraTimeMs = options.minVersion === undefined ? 0 : (options.waitMs ?? 0);
    return orUndefined(this.read<TwinDocument>('getTwin', twinPath(id), { query, extraTimeMs }));
  }

  async listTwins(query: TwinListQuery): Promise<TwinPage> {
    const page = await this.read<{ twins: TwinDocument[]; nextCursor: string | null; partitions?: number[] }>(
      'listTwins',
      `${API_PREFIX}/twins`,
      { query: listQueryParams(query) },
    );
    return {
      twins: page.twins,
      nextCursor: page.nextCursor,
      ...(page.partitions === undefined ? {} : { partitions: page.partitions }),
    };
  }

  async listCommands(id: string): Promise<CommandView[] | undefined> {
    const list = await orUndefined(
      this.read<{ commands: CommandView[] }>('listCommands', twinPath(id, '/commands')),
    );
    return list?.commands;
  }

  async getCommand(id: string, commandId: string): Promise<CommandView | undefined> {
    const path = twinPath(id, `/commands/${encodeURIComponent(commandId)}`);
    return orUndefined(this.read<CommandView>('getCommand', path));
  }

  registerTwin(twin: NewTwin): Promise<RegistryRequest> {
    const body = { id: twin.id, type: twin.type, attributes: twin.attributes };
    return this.write('registerTwin', 'POST', `${API_PREFIX}/twins`, body);
  }

  updateTwin(id: string, changes: TwinChanges): Promise<RegistryRequest> {
    const body: JsonObject = {};
    if (changes.type !== undefined) body.type = changes.type;
    if (changes.attributes !== undefined) body.attributes = changes.attributes;
    return this.write('updateTwin', 'PUT', twinPath(id), body);
  }

  deleteTwin(id: string): Promise<RegistryRequest> {
    return this.write('deleteTwin', 'DELETE', twinPath(id));
  }

  setLifecycle(id: string, action: LifecycleAction): Promise<RegistryRequest> {
    return this.write('setLifecycle', 'POST', twinPath(id, `/${action}`));
  }

  setAttributes(id: string, attributes: Attributes): Promise<RegistryRequest> {
    return this.write('setAttributes', 'PUT', twinPath(id, '/metadata'), attributes);
  }

  patchDesired(id: string, patch: JsonObject, ifVersion?: number): Promise<DesiredPatchRequest> {
    const extra: Partial<PeerRequest> = { extraTimeMs: this.outcomeWaitMs };
    if (ifVersion !== undefined) extra.headers = { 'if-match': etagFor(ifVersion) };
    return this.write('patchDesired', 'PATCH', twinPath(id, '/desired'), patch, extra);
  }

  injectState(id: string, state: JsonObject): Promise<StateInjection> {
    return this.write('injectState', 'PUT', twinPath(id, '/state'), state);
  }

  queueCommand(id: string, command: CommandRequest): Promise<CommandView> {
    const body: JsonObject = { action: command.action, parameters: command.parameters };
    if (command.priority !== undefined) body.priority = command.priority;
    // The route takes seconds and turns them into ms, so ttlMs is always whole seconds.
    if (command.ttlMs !== undefined) body.ttl = Math.ceil(command.ttlMs / 1000);
    return this.write<CommandView>('queueCommand', 'POST', twinPath(id, '/command'), body);
  }
}
