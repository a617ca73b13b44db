import type { InstancesView } from '../../api/routing/instances-view';
import type { TwinDocument } from '../../api/twin-document';
import { partitionForKey } from '../../shared/partitioner';
import { httpRequest, type HttpAnswer } from './http-client';
import type { ServiceInstance } from './stack';
import { waitFor } from './wait';

/** An admin token every instance of the API tests accepts (static auth), sent with every request. */
export const ADMIN_TOKEN = 'api-tests-admin-token-0000000001';
export const AUTH_ENV = { AUTH_MODE: 'static', AUTH_TOKENS: `${ADMIN_TOKEN}:admin` };

interface Envelope<T> {
  status: string;
  data: T;
  error?: { code: string; message: string };
}

/** A request to the API with the admin token (and any extra headers). */
export function api(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  return httpRequest(baseUrl, method, path, {
    ...options,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...options.headers },
  });
}

export function dataOf<T>(answer: HttpAnswer): T {
  if (answer.status >= 300) throw new Error(`HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  return (answer.body as Envelope<T>).data;
}

export function errorCodeOf(answer: HttpAnswer): string | undefined {
  return (answer.body as Envelope<unknown> | undefined)?.error?.code;
}

export async function instancesOf(url: string): Promise<InstancesView> {
  return dataOf<InstancesView>(await api(url, 'GET', '/api/v1/system/instances'));
}

/**
 * Waits until every instance's map is current, names exactly `expected` (by URL) as the owners
 * and all instances agree, so a test starts from a settled group.
 */
export async function waitForOwnership(
  instances: readonly ServiceInstance[],
  expected: readonly ServiceInstance[] = instances,
  timeoutMs = 90000,
): Promise<InstancesView> {
  const want = expected.map((s) => s.url).sort();
  return waitFor(
    `ownership maps naming ${want.join(', ')}`,
    async () => {
      const views = await Promise.all(instances.map((s) => instancesOf(s.url)));
      const maps = views.map((v) => JSON.stringify(v.partitions.map((p) => p.url)));
      const owners = views[0]!.instances.map((i) => i.url).sort();
      const settled =
        views.every((v) => v.state === 'current') &&
        maps.every((m) => m === maps[0]) &&
        JSON.stringify(owners) === JSON.stringify(want) &&
        // every owner has restored its partitions and serves them
        views.every((v) => v.partitions.every((p) => p.url !== v.self || p.servedHere));
      return settled ? views[0] : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** The owner's URL of `id` in a map. */
export function ownerOf(view: InstancesView, id: string): string {
  return view.partitions[partitionForKey(id, view.partitionCount)]!.url!;
}

/** Every twin a list returns, following nextCursor; checks each page's size against `limit`. */
export async function listAll(url: string, limit: number, filter = ''): Promise<TwinDocument[]> {
  const out: TwinDocument[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = dataOf<{ count: number; twins: TwinDocument[]; nextCursor: string | null }>(
      await api(url, 'GET', `/api/v1/twins${query}`),
    );
    if (page.twins.length > limit || page.count !== page.twins.length)
      throw new Error(`page of ${page.twins.length} twins for limit ${limit}`);
    out.push(...page.twins);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
