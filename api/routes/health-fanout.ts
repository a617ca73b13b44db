import { traitsView, type TraitsView } from '../../topology/traits';
import type { TwinState } from '../../topology/twin';
import { isTwinfoldError, TwinfoldError } from '../../shared/errors';
import type { TwinFilter } from '../backend';
import type { TwinQueries } from '../processor-backend';
import { requireCoverage } from '../routing/merge-pages';
import type { PeerClient } from '../routing/peer-client';
import { listQueryParams } from '../routing/remote-backend';
import { currentRequest } from '../routing/request-context';
import type { RoutingBackend } from '../routing/routing-backend';
import { filterableState, matchesFilter } from '../twin-filter';
import { API_PREFIX } from './common';
import {
  HealthTally,
  mergeAlerts,
  mergeHealth,
  openAlertsOf,
  type AlertList,
  type FleetHealth,
} from './health-summary';
import { firingsOf, mergeFirings, newestFirings, type FiringList } from './rules-firings';

export interface HealthQuery {
  /** How many of the worst twins to name. */
  worst: number;
  filter: TwinFilter;
}

export interface AlertQuery {
  limit: number;
  filter: TwinFilter;
}

/** `GET /twins/{id}/traits`. `traits` is null before the twin's first numeric reading. */
export interface TwinTraits {
  id: string;
  type: string;
  version: number;
  traits: TraitsView | null;
}

/**
 * Questions about the whole fleet, answered from every partition: `GET /health`, `GET /alerts`
 * and `GET /rules/{id}/firings`. An instance's local answer carries the partitions it read; the
 * instance asked merges them and refuses (503 NOT_READY) unless they cover every partition.
 */
export interface FleetQueries {
  /** One twin's traits judged now (freshness at the time of the request); undefined: no twin. */
  traits(id: string): Promise<TwinTraits | undefined>;
  health(q: HealthQuery): Promise<FleetHealth>;
  alerts(q: AlertQuery): Promise<AlertList>;
  ruleFirings(ruleId: string, limit: number): Promise<FiringList>;
}

/** The fleet queries, or 503 on an instance built without them. */
export function requireFleet(fleet: FleetQueries | undefined): FleetQueries {
  if (fleet) return fleet;
  throw new TwinfoldError('NOT_READY', 'fleet queries are not served by this instance', { retriable: true });
}

/** This instance's answers from its own stores (one scan each), with the partitions read. */
export class LocalFleet implements FleetQueries {
  constructor(
    private readonly queries: Pick<TwinQueries, 'list' | 'get'>,
    private readonly now: () => number = Date.now,
  ) {}

  async traits(id: string): Promise<TwinTraits | undefined> {
    const twin = await this.queries.get(id);
    if (!twin) return undefined;
    const traits = twin.traits === undefined ? null : traitsView(twin.traits, this.now());
    return { id, type: twin.type, version: twin.version, traits };
  }

  /** Visits every twin of the local stores; returns the partitions read. */
  private async scan(filter: TwinFilter, visit: (t: TwinState) => void): Promise<number[]> {
    const { partitions } = await this.queries.list(undefined, Number.MAX_SAFE_INTEGER, (t) => {
      if (matchesFilter(filter, filterableState(filter, t))) visit(t);
      return false;
    });
    return partitions;
  }

  async health({ worst, filter }: HealthQuery): Promise<FleetHealth> {
    const tally = new HealthTally(this.now(), worst);
    const partitions = await this.scan(filter, (t) => tally.add(t));
    return { ...tally.result(), partitions };
  }

  async alerts({ limit, filter }: AlertQuery): Promise<AlertList> {
    const found: ReturnType<typeof openAlertsOf>[] = [];
    const partitions = await this.scan(filter, (t) => found.push(openAlertsOf(t)));
    return { ...mergeAlerts(found, limit), partitions };
  }

  async ruleFirings(ruleId: string, limit: number): Promise<FiringList> {
    const found: ReturnType<typeof firingsOf> = [];
    const partitions = await this.scan({}, (t) => found.push(...firingsOf(t, ruleId)));
    const firings = newestFirings(found, limit);
    return { ruleId, count: firings.length, firings, partitions };
  }
}

/** Another instance's local answers, over its REST API (the same routes, one hop). */
export class RemoteFleet implements FleetQueries {
  constructor(
    private readonly client: PeerClient,
    private readonly url: string,
  ) {}

  private get<T>(operation: string, path: string, query: Record<string, string>): Promise<T> {
    const request = {
      operation,
      method: 'GET' as const,
      path: `${API_PREFIX}${path}`,
      query,
      idempotent: true,
    };
    return this.client.send(this.url, request) as Promise<T>;
  }

  async traits(id: string): Promise<TwinTraits | undefined> {
    try {
      return await this.get<TwinTraits>('getTraits', `/twins/${encodeURIComponent(id)}/traits`, {});
    } catch (err) {
      if (isTwinfoldError(err) && err.code === 'TWIN_NOT_FOUND') return undefined;
      throw err;
    }
  }

  health({ worst, filter }: HealthQuery): Promise<FleetHealth> {
    return this.get('fleetHealth', '/health', { ...filterParams(filter), worst: String(worst) });
  }

  alerts({ limit, filter }: AlertQuery): Promise<AlertList> {
    return this.get('fleetAlerts', '/alerts', {
      ...filterParams(filter),
      active: 'true',
      limit: String(limit),
    });
  }

  ruleFirings(ruleId: string, limit: number): Promise<FiringList> {
    return this.get('ruleFirings', `/rules/${encodeURIComponent(ruleId)}/firings`, { limit: String(limit) });
  }
}

function filterParams(filter: TwinFilter): Record<string, string> {
  const { limit: _limit, ...params } = listQueryParams({ limit: 1, filter });
  return params;
}

/**
 * What every route asks: a forwarded request gets this instance's local answer; any other is put
 * to every instance through the routing layer's fan-out and merged, all partitions or 503.
 */
export class RoutedFleet implements FleetQueries {
  constructor(
    private readonly routing: Pick<RoutingBackend, 'fanOut' | 'routeTwin'>,
    private readonly local: FleetQueries,
    private readonly peer: (url: string) => FleetQueries,
    private readonly now: () => number = Date.now,
  ) {}

  private async all<T extends { partitions?: number[] }>(
    call: (q: FleetQueries) => Promise<T>,
  ): Promise<T[]> {
    const { answers, partitionCount } = await this.routing.fanOut(
      () => call(this.local),
      (url) => call(this.peer(url)),
    );
    requireCoverage(
      answers.map((a) => a.partitions),
      partitionCount,
      true,
    );
    return answers;
  }

  traits(id: string): Promise<TwinTraits | undefined> {
    return this.routing.routeTwin(
      id,
      () => this.local.traits(id),
      (url) => this.peer(url).traits(id),
    );
  }

  async health(q: HealthQuery): Promise<FleetHealth> {
    if (currentRequest().forwarded) return this.local.health(q);
    return mergeHealth(await this.all((f) => f.health(q)), q.worst, this.now());
  }

  async alerts(q: AlertQuery): Promise<AlertList> {
    if (currentRequest().forwarded) return this.local.alerts(q);
    const answers = await this.all((f) => f.alerts(q));
    return mergeAlerts(
      answers.map((a) => a.alerts),
      q.limit,
    );
  }

  async ruleFirings(ruleId: string, limit: number): Promise<FiringList> {
    if (currentRequest().forwarded) return this.local.ruleFirings(ruleId, limit);
    return mergeFirings(ruleId, await this.all((f) => f.ruleFirings(ruleId, limit)), limit);
  }
}
