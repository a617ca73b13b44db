import { EventEmitter } from 'node:events';
import type { CommitNotice } from './commit-notice';

/** What a StreamProcessor tells the rest of its process (the query side), in-process only. */
export interface ProcessorEventMap {
  /** A rebalance began: which instance owns which partition is in flux. */
  rebalancing: [];
  /** This member (re)joined the group and was given `partitions`. */
  joined: [{ memberId: string; partitions: number[] }];
  /** A task committed a transaction and wrote its store: the changes are now readable. */
  committed: [CommitNotice];
}

/**
 * The processor's emitter. Listeners run synchronously inside the poll loop's commit path, so they
 * must be quick and must not throw (a throwing listener is caught and logged by the emitting side).
 */
export class ProcessorEvents extends EventEmitter<ProcessorEventMap> {}
