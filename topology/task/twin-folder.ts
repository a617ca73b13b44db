import type { KafkaMessage } from 'kafkajs';
import { deadLetter } from '../../shared/dead-letter';
import { toTwinfoldError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { InputKind } from '../../shared/topics';
import { committedChange, deadLetteredChange, type CommittedChange } from '../commit-notice';
import type { DeadlineIndex } from '../deadline-index';
import type { ProcessorMetrics } from '../metrics';
import { OutputBuffer } from '../output-buffer';
import type { ProcessorSettings } from '../processor-settings';
import {
  decodeInput,
  foldTwin,
  liveTwin,
  nextDeadline,
  tickTwin,
  type FoldResult,
  type StoredTwin,
  type TwinInput,
} from '../twin';
import { encodeWithinLimit } from '../twin-codec';
import { accountChange, type TwinCounts } from '../twin-stats';
import type { ChangelogStore } from './changelog-store';
import type { HistoryRecorder } from '../history/recorder';
import type { HistoryStore } from './history-store';

/** What one commit of a task will send (`out`) and tell its listeners once durable (`changes`). */
export class CommitDraft {
  readonly changes: CommittedChange[] = [];
  readonly out: OutputBuffer;

  constructor(settings: Pick<FolderSettings, 'topics' | 'formats'>) {
    this.out = new OutputBuffer(settings.topics, settings.formats?.twins);
  }
}

export type FolderSettings = Pick<ProcessorSettings, 'topics' | 'limits' | 'foldConfig'> &
  Partial<Pick<ProcessorSettings, 'formats'>>;

export interface TwinFolderOptions {
  readonly partition: number;
  readonly settings: FolderSettings;
  readonly twins: ChangelogStore<StoredTwin>;
  readonly deadlines: DeadlineIndex;
  readonly counts: TwinCounts;
  readonly metrics: ProcessorMetrics;
  readonly log: Logger;
  /** The history store and what fills it (absent when HISTORY=off). */
  readonly history?: { readonly recorder: HistoryRecorder; readonly store: HistoryStore };
}

/**
 * Folds a task's records and timers into its twin cache and a commit draft: decode, fold, check
 * the size, cache, account, schedule the next deadline, emit. Bad input becomes a dead letter with
 * the original bytes and the reason. Keys must be loaded into the cache first.
 */
export class TwinFolder {
  constructor(private readonly o: TwinFolderOptions) {}

  foldRecord(topic: string, kind: InputKind, m: KafkaMessage, draft: CommitDraft): void {
    const { settings, metrics } = this.o;
    const timestampMs = Number(m.timestamp);
    const key = m.key?.toString('utf8') ?? '';
    let input: TwinInput | undefined;
    let before: StoredTwin | undefined;
    try {
      // An Avro record (magic byte) becomes JSON text first; the dead letter keeps the original bytes.
      const value = settings.formats?.inputs ? settings.formats.inputs.toJson(m.value) : m.value;
      input = decodeInput(kind, key, value, timestampMs, settings.limits, m.headers);
      before = this.o.twins.cache.get(key);
      const result = foldTwin(before, input, { nowMs: timestampMs, config: settings.foldConfig });
      this.apply(key, before, result, timestampMs, draft, input, m.offset);
      metrics.records.inc({ topic, outcome: result.outcome });
      if (result.reason === 'unknown-command-ack') metrics.unknownAcks.inc();
    } catch (err) {
      const error = toTwinfoldError(err);
      const source = {
        component: 'processor' as const,
        topic,
        partition: this.o.partition,
        offset: m.offset,
      };
      draft.out.add(settings.topics.dlq, deadLetter(source, m.key, m.value, error, timestampMs));
      // A write someone waits for hears why it was refused instead of timing out.
      const change = deadLetteredChange(key, input, before, error);
      if (change) draft.changes.push(change);
      metrics.records.inc({ topic, outcome: 'dead-letter' });
      metrics.deadLetters.inc({ code: error.code });
      if (error.code === 'INTERNAL')
        this.o.log.error('fold failed; record sent to the dead-letter topic', {
          topic,
          offset: m.offset,
          error: err,
        });
    }
  }

  /** The timer of one twin at `nowMs`: expires commands, marks a silent twin unknown. */
  tick(key: string, nowMs: number, draft: CommitDraft): void {
    const before = liveTwin(this.o.twins.cache.get(key));
    if (before) this.apply(key, before, tickTwin(before, nowMs, this.o.settings.foldConfig), nowMs, draft);
  }

  private apply(
    key: string,
    before: StoredTwin | undefined,
    result: FoldResult,
    timestampMs: number,
    draft: CommitDraft,
    input?: TwinInput,
    offset?: string,
  ): void {
    // A deleted twin leaves its grave in the store and changelog (device.twins gets the tombstone).
    // A twin past MAX_TWIN_BYTES would be refused by the broker at every commit and block the
    // partition for good: throwing here, before anything is cached or emitted, dead-letters the
    // record and leaves the twin as it was.
    const stored = result.state === null ? (result.grave ?? null) : result.state;
    const encoded = stored === undefined || stored === null ? null : encodeWithinLimit(stored);
    const { history } = this.o;
    if (history) {
      const facts = { deviceId: key, before, result, atMs: timestampMs };
      history.store.add(history.recorder.entriesOf(input ? { ...facts, input, offset } : facts));
    }
    const change = committedChange(key, input, before, result);
    if (change) draft.changes.push(change);
    if (result.state === undefined && result.events.length === 0 && result.downlink.length === 0) return;
    if (result.state !== undefined) {
      this.o.twins.cache.put(key, stored ?? null, encoded);
      accountChange(this.o.counts, liveTwin(before), result.state);
      this.o.deadlines.set(
        key,
        result.state === null ? null : nextDeadline(result.state, this.o.settings.foldConfig),
      );
    }
    // A rejection (e.g. a desired patch with a stale If-Match) changes no twin but is still news.
    draft.out.addChange(
      key,
      result.state,
      result.events,
      result.downlink,
      timestampMs,
      result.grave?.version,
    );
    for (const e of result.events)
      if (e.type === 'command.status' && e.data.status === 'expired') this.o.metrics.commandsExpired.inc();
    this.o.metrics.countEvents(result.events);
  }
}
