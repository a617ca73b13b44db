import type { GroupDescription } from 'kafkajs';
import { partitionForKey } from '../shared/partitioner';
import type { Logger } from '../shared/logger';
import { decodeOwnership, type OwnerMap } from './group-ownership';

/** Kafka Streams' KeyQueryMetadata, for one instance per partition (no standbys). */
export interface KeyQueryMetadata {
  partition: number;
  /** The owner's API URL; undefined while the map is stale or the owner unknown. */
  activeHost: string | undefined;
}

/**
 * - `unknown`: never read (starting) or the partition count is not known yet;
 * - `current`: read from a Stable group after the last rebalance this member saw;
 * - `stale`: a rebalance began (or the last read found no Stable group) and no newer map exists.
 */
export type OwnershipState = 'unknown' | 'current' | 'stale';

export interface OwnershipSnapshot {
  self: string;
  state: OwnershipState;
  /** Why the map is not current, when it is not. */
  reason?: string;
  partitionCount: number;
  owners: OwnerMap;
  refreshedAt: Date | undefined;
}

export interface PartitionOwnersOptions {
  /** This instance's advertised URL (what it puts in its join metadata). */
  self: string;
  /** `admin.describeGroups([applicationId])`'s group, narrowed so tests need no broker. */
  describeGroup: () => Promise<GroupDescription | undefined>;
  /** Partition count of the co-partitioned inputs; 0 while unknown. */
  partitionCount: () => number;
  /** Re-read period while current, so a member that sees no rebalance still converges. */
  refreshMs: number;
  /** Re-read period while stale or unknown. */
  retryMs?: number;
  logger: Logger;
  now?: () => Date;
}

/**
 * partition -> instance URL, as current as the consumer group's assignment. kafkajs does not hand
 * assignment userData to members, so the map is read with describeGroups: after every join of this
 * member (`joined`), marked stale as soon as a rebalance begins (`rebalancing`), and re-read every
 * `refreshMs` in any case. A read that started before the latest `rebalancing`/`joined` is dropped
 * (an epoch counter), so an old answer never overwrites a newer state.
 *
 * Lifecycle: `start()` schedules reads until `stop()`; the caller owns the admin client behind
 * `describeGroup`. Reads never throw: a failed read leaves the map stale and is retried.
 */
export class PartitionOwners {
  private owners: OwnerMap = new Map();
  private state: OwnershipState = 'unknown';
  private reason: string | undefined = 'not read yet';
  private refreshedAt: Date | undefined;
  private epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private reading: Promise<void> | undefined;
  private readingEpoch = -1;
  private readonly now: () => Date;

  constructor(private readonly options: PartitionOwnersOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get self(): string {
    return this.options.self;
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A rebalance began: stop trusting the map until it is read again. */
  markStale(reason: string): void {
    this.epoch += 1;
    if (this.state === 'current') this.state = 'stale';
    this.reason = reason;
    this.log('debug', 'partition ownership stale', { reason });
  }

  /** This member joined: ownership changed, read it now (any read in flight is outdated). */
  joined(): void {
    this.markStale('re-reading the assignment after a rebalance');
    this.schedule(0);
  }

  /** Where `key` lives: partitionForKey over the inputs' partition count, then the map. */
  queryMetadataForKey(key: string): KeyQueryMetadata {
    const count = this.options.partitionCount();
    if (count <= 0) return { partition: -1, activeHost: undefined };
    const partition = partitionForKey(key, count);
    return { partition, activeHost: this.ownerOf(partition) };
  }

  /** The owner of `partition`, or undefined while the map is not current. */
  ownerOf(partition: number): string | undefined {
    return this.state === 'current' ? this.owners.get(partition) : undefined;
  }

  snapshot(): OwnershipSnapshot {
    return {
      self: this.options.self,
      state: this.state,
      ...(this.state === 'current' || this.reason === undefined ? {} : { reason: this.reason }),
      partitionCount: this.options.partitionCount(),
      owners: this.owners,
      refreshedAt: this.refreshedAt,
    };
  }

  /** Reads the group once (joining a read in flight only if no rebalance happened since it began). */
  refresh(): Promise<void> {
    if (this.reading) {
      if (this.readingEpoch === this.epoch) return this.reading;
      return this.reading.then(() => this.refresh());
    }
    const epoch = this.epoch;
    this.readingEpoch = epoch;
    this.reading = this.read(epoch).finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(epoch: number): Promise<void> {
    let group: GroupDescription | undefined;
    try {
      group = await this.options.describeGroup();
    } catch (err) {
      if (this.epoch === epoch) this.setStale(`describing the group failed: ${(err as Error).message}`);
      return;
    }
    // A rebalance began or this member joined while we asked: this answer may predate it.
    if (this.epoch !== epoch) return;
    const decoded = decodeOwnership(group, this.options.partitionCount());
    if (!decoded.ok) {
      this.setStale(decoded.problem);
      return;
    }
    const changed = !sameOwners(this.owners, decoded.owners) || this.state !== 'current';
    this.owners = decoded.owners;
    this.state = 'current';
    this.reason = undefined;
    this.refreshedAt = this.now();
    if (changed) this.log('info', 'partition ownership', { owners: Object.fromEntries(decoded.owners) });
  }

  private setStale(reason: string): void {
    if (this.state === 'current') this.state = 'stale';
    if (reason !== this.reason) this.log('info', 'partition ownership not current', { reason });
    this.reason = reason;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().then(() => {
        if (this.timer === undefined) {
          const next = this.state === 'current' ? this.options.refreshMs : (this.options.retryMs ?? 500);
          this.schedule(next);
        }
      });
    }, delayMs);
    this.timer.unref();
  }

  private log(level: 'debug' | 'info', msg: string, fields: Record<string, unknown>): void {
    this.options.logger[level](msg, { self: this.options.self, ...fields });
  }
}

function sameOwners(a: OwnerMap, b: OwnerMap): boolean {
  if (a.size !== b.size) return false;
  for (const [p, url] of a) if (b.get(p) !== url) return false;
  return true;
}
