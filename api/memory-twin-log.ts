import { TwinfoldError, toTwinfoldError } from '../shared/errors';
import { DEFAULT_JSON_LIMITS, type JsonLimits } from '../shared/safe-json';
import { inputTopics, type InputKind, type TopicNames } from '../shared/topics';
import { committedChange, deadLetteredChange, type CommittedChange } from '../topology/commit-notice';
import { CommitWatch, type Wait } from '../topology/commit-watch';
import type { LocalPage } from '../topology/local-queries';
import {
  DEFAULT_FOLD_CONFIG,
  decodeInput,
  foldTwin,
  liveTwin,
  type FoldConfig,
  type FoldResult,
  type JsonObject,
  type StoredTwin,
  type TwinInput,
  type TwinState,
} from '../topology/twin';
import { encodeWithinLimit } from '../topology/twin-codec';
import type { InputProducer } from './input-producer';
import type { TwinQueries } from './processor-backend';

/** A record the processor would have sent to the dead-letter topic instead of folding it. */
export interface MemoryDeadLetter {
  topic: string;
  key: string;
  value: JsonObject;
  error: TwinfoldError;
}

export interface MemoryTwinLogOptions {
  topics: TopicNames;
  limits?: JsonLimits;
  foldConfig?: FoldConfig;
  /** The record timestamp each write is folded at. */
  now: () => number;
}

/**
 * The processor in miniature, for unit tests: every produced record is decoded and folded at once
 * with the processor's own `decodeInput` and `foldTwin` into a Map (the store, graves included),
 * under the processor's size limit, and its verdict is told like a commit. What the processor would
 * dead-letter is kept in `deadLetters`. One partition, no Kafka, no timers.
 */
export class MemoryTwinLog implements InputProducer, TwinQueries {
  readonly deadLetters: MemoryDeadLetter[] = [];
  private readonly store = new Map<string, StoredTwin>();
  private readonly watch = new CommitWatch();
  private readonly kindOf: ReadonlyMap<string, InputKind>;
  private readonly limits: JsonLimits;
  private readonly foldConfig: FoldConfig;

  constructor(private readonly options: MemoryTwinLogOptions) {
    this.kindOf = new Map(inputTopics(options.topics).map(({ topic, kind }) => [topic, kind]));
    this.limits = options.limits ?? DEFAULT_JSON_LIMITS;
    this.foldConfig = options.foldConfig ?? DEFAULT_FOLD_CONFIG;
  }

  async send(topic: string, key: string, value: JsonObject): Promise<void> {
    const kind = this.kindOf.get(topic);
    if (kind === undefined) throw new RangeError(`${topic} is not an input topic`);
    this.fold(kind, key, value);
  }

  /** Folds one record of `kind` as the processor would; returns the fold, or undefined if dead-lettered. */
  fold(kind: InputKind, key: string, value: JsonObject): FoldResult | undefined {
    const nowMs = this.options.now();
    const topic = inputTopics(this.options.topics).find((t) => t.kind === kind)!.topic;
    let input: TwinInput | undefined;
    const before = this.store.get(key);
    try {
      input = decodeInput(kind, key, Buffer.from(JSON.stringify(value)), nowMs, this.limits);
      const result = foldTwin(before, input, { nowMs, config: this.foldConfig });
      const stored = result.state === null ? result.grave : result.state;
      if (stored !== undefined) {
        encodeWithinLimit(stored);
        this.store.set(key, structuredClone(stored));
      }
      const change = committedChange(key, input, before, result);
      if (change) this.watch.handle({ partition: 0, changes: [change] });
      return result;
    } catch (err) {
      const error = toTwinfoldError(err);
      this.deadLetters.push({ topic, key, value, error });
      const change = deadLetteredChange(key, input, before, error);
      if (change) this.watch.handle({ partition: 0, changes: [change] });
      return undefined;
    }
  }

  /** Test hook: stores a twin as is (e.g. one whose device is online). */
  put(state: TwinState): void {
    this.store.set(state.id, structuredClone(state));
  }

  async get(id: string): Promise<TwinState | undefined> {
    return structuredClone(liveTwin(this.store.get(id)));
  }

  async getStored(id: string): Promise<StoredTwin | undefined> {
    return structuredClone(this.store.get(id));
  }

  /** Everything is folded at once, so a version not reached now is reached only by a later write. */
  async getAtLeast(id: string, minVersion: number, waitMs: number): Promise<TwinState | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const change = this.watch.nextChange(id, Math.max(0, deadline - Date.now()));
      const twin = await this.get(id);
      const version = twin?.version ?? 0;
      if (version >= minVersion) {
        change.cancel();
        return twin;
      }
      if (!(await change.promise)) {
        throw new TwinfoldError(
          'TIMEOUT',
          `twin ${id} is at version ${version}; version ${minVersion} was not reached within ${waitMs} ms`,
          { retriable: true, details: { version, minVersion } },
        );
      }
    }
  }

  async list(
    after: string | undefined,
    limit: number,
    accept: (t: TwinState) => boolean,
  ): Promise<LocalPage> {
    const twins = [...this.store.keys()]
      .sort()
      .filter((id) => after === undefined || id > after)
      .map((id) => liveTwin(this.store.get(id)))
      .filter((t): t is TwinState => t !== undefined && accept(t));
    return { twins: structuredClone(twins.slice(0, limit)), more: twins.length > limit, partitions: [0] };
  }

  awaitRequest(requestId: string, timeoutMs: number): Wait<CommittedChange | undefined> {
    return this.watch.forRequest(requestId, timeoutMs);
  }
}
