import type { Response } from 'express';
import type { Registry } from 'prom-client';
import { TwinfoldError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { partitionForKey } from '../../shared/partitioner';
import { eventStreamMetrics, type EventStreamMetrics } from './metrics';
import { beyondEnd, offsetAt, parseFleetPosition, parseTwinPosition, type Offsets } from './position';
import type { SharedReader } from './shared-reader';
import { SseResponse } from './sse-response';
import { StreamCursor, type SseEvent } from './stream-cursor';
import type { ChangeSelector, TwinChange } from './twin-change';
import type { TwinsConsumer } from './twins-consumer';

/** A stream resuming from before the replay buffer: read with a consumer of its own. */
export type ReplayReaderFactory = (
  cursor: StreamCursor,
  onChange: (change: TwinChange) => void,
  onFatal: (err: Error) => void,
) => Promise<TwinsConsumer>;

export interface EventStreamsOptions {
  /** Starts the instance's shared reader, on the first stream (and again after it died). */
  startSharedReader: (onFatal: (err: Error) => void) => Promise<SharedReader>;
  startReplayReader: ReplayReaderFactory;
  /** The end offset of each partition of device.twins now (checks a Last-Event-ID ahead of the reader). */
  endOffsets: () => Promise<Offsets>;
  /** Open streams allowed at once (SSE_MAX_STREAMS); 503 NOT_READY beyond. */
  maxStreams: number;
  /** Of those, streams with a consumer of their own (SSE_MAX_REPLAY_CONSUMERS). */
  maxReplayConsumers: number;
  heartbeatMs: number;
  /** The `retry:` hint in ms; default 2000. */
  retryMs?: number;
  /** Bytes still queued for a client at a heartbeat before its stream is dropped; default 8 MiB. */
  maxQueuedBytes?: number;
  logger: Logger;
  registry: Registry;
}

/** What a client asked for: which changes, and where to resume (its Last-Event-ID). */
export interface StreamRequest {
  selector: ChangeSelector;
  lastEventId?: string;
}

/** Starts writing the stream to the response; see EventStreams.open. */
export type StreamStarter = (res: Response) => void;

/** Where a stream's events go: an SSE response (SseResponse), or a WebSocket subscription (api/ws). */
export interface StreamSink {
  readonly isClosed: boolean;
  /** Called once, with the starting position, before any event. */
  start(initialId: string): void;
  /** The next event, and the change it was made from. */
  send(event: SseEvent, change: TwinChange): void;
  /** Ends the stream (idempotent); the sink then runs its `onClose`. */
  close(): void;
}

/** Builds a stream's sink; the sink runs `onClose` exactly once when it closes, whoever closes it. */
export type SinkFactory = (onClose: () => void) => StreamSink;

/** Starts the stream into the sink it builds; see EventStreams.openSink. */
export type SinkStarter = (makeSink: SinkFactory) => void;

interface OpenStream {
  sink: StreamSink;
  /** Holds one of the SSE_MAX_STREAMS slots (SSE streams do; sinks of `openSink` do not). */
  counted: boolean;
  cursor: StreamCursor;
  reader: 'shared' | 'own';
  /** Detaches from the hub, or stops the stream's own consumer. */
  release?: () => Promise<void> | void;
  /** Set once the stream has closed: its release, awaited by `close`. */
  released?: Promise<void>;
}

function notReady(message: string): TwinfoldError {
  return new TwinfoldError('NOT_READY', message, { retriable: true, details: { retryAfterSeconds: 5 } });
}

/**
 * Live twin changes as Server-Sent Events, for one instance. A stream starts at the shared
 * reader's position, or resumes from its Last-Event-ID: from the shared reader's replay buffer
 * when it still holds everything after that position, else with a consumer of its own that reads
 * `device.twins` from there. Either way every record after the position reaches the stream once,
 * in order (see StreamCursor). Streams are capped; each one's resources (hub listener or
 * consumer, heartbeat timer, slot) are released when the client goes away or `close` is called.
 */
export class EventStreams {
  private readonly streams = new Set<OpenStream>();
  private reserved = 0;
  private replayConsumers = 0;
  private reader: Promise<SharedReader> | undefined;
  private closed = false;
  private readonly metrics: EventStreamMetrics;

  constructor(private readonly o: EventStreamsOptions) {
    this.metrics = eventStreamMetrics(o.registry);
  }

  /** Open streams by reader, for tests and the system views. */
  stats(): { shared: number; own: number } {
    let own = 0;
    for (const s of this.streams) if (s.reader === 'own') own += 1;
    return { shared: this.streams.size - own, own };
  }

  /**
   * Checks the request and reserves a slot; throws before anything is sent: NOT_READY (503) when
   * full or Kafka is unreachable, VALIDATION_ERROR (400) for a Last-Event-ID this stream did not
   * send (malformed, another partition count, or beyond the end of device.twins). The returned starter must be called at once; it writes the stream until it ends.
   */
  async open(request: StreamRequest): Promise<StreamStarter> {
    const start = await this.openStream(request, true);
    const options = {
      heartbeatMs: this.o.heartbeatMs,
      retryMs: this.o.retryMs ?? 2000,
      maxQueuedBytes: this.o.maxQueuedBytes ?? 8 * 1024 * 1024,
    };
    return (res) => start((onClose) => new SseResponse(res, options, onClose));
  }

  /**
   * As `open`, into a sink of the caller's (a WebSocket subscription), with the same positions,
   * checks and errors; outside SSE_MAX_STREAMS: the caller caps its own sinks.
   */
  openSink(request: StreamRequest): Promise<SinkStarter> {
    return this.openStream(request, false);
  }

  private async openStream(request: StreamRequest, counted: boolean): Promise<SinkStarter> {
    if (this.closed) throw notReady('shutting down');
    if (counted && this.reserved >= this.o.maxStreams) {
      this.metrics.rejected.inc({ reason: 'streams' });
      throw notReady(`this instance serves at most ${this.o.maxStreams} event streams`);
    }
    if (counted) this.reserved += 1;
    try {
      const reader = await this.sharedReader();
      const cursor = this.cursorFor(request, reader);
      if (request.lastEventId !== undefined) await this.refuseBeyondEnd(cursor, reader);
      if (!reader.hub.canReplay(cursor) && this.replayConsumers >= this.o.maxReplayConsumers) {
        this.metrics.rejected.inc({ reason: 'replay_consumers' });
        throw notReady('too many streams are resuming from far back; retry shortly');
      }
      return (makeSink) => this.start(makeSink, reader, cursor, counted);
    } catch (err) {
      if (counted) this.reserved -= 1;
      throw err;
    }
  }

  /** Ends every stream (clients reconnect elsewhere with their Last-Event-ID) and stops reading. */
  async close(): Promise<void> {
    this.closed = true;
    const releases = [...this.streams].map((s) => this.end(s));
    const reader = this.reader;
    this.reader = undefined;
    await Promise.all(releases);
    if (reader) await (await reader.catch(() => undefined))?.stop();
  }

  private sharedReader(): Promise<SharedReader> {
    this.reader ??= this.o
      .startSharedReader((err) => this.readerDied(err))
      .catch((err: unknown) => {
        this.reader = undefined;
        this.o.logger.warn('events reader failed to start', { error: err });
        throw notReady('live events are unavailable: device.twins cannot be read');
      });
    return this.reader;
  }

  private readerDied(err: Error): void {
    this.o.logger.error('events reader stopped; ending its streams', { error: err });
    const dead = this.reader;
    this.reader = undefined;
    for (const s of this.streams) if (s.reader === 'shared') void this.end(s);
    void dead?.then((r) => r.stop()).catch(() => undefined);
  }

  private cursorFor({ selector, lastEventId }: StreamRequest, reader: SharedReader): StreamCursor {
    const position = reader.hub.position();
    if (selector.kind === 'fleet') {
      const from =
        lastEventId === undefined ? position : parseFleetPosition(lastEventId, reader.partitionCount);
      return new StreamCursor(selector, from);
    }
    const partition = partitionForKey(selector.id, reader.partitionCount);
    if (lastEventId !== undefined) position[partition] = parseTwinPosition(lastEventId, partition);
    return new StreamCursor(selector, position, partition);
  }

  /**
   * A position ahead of this instance's reader is fine while device.twins has it (another
   * instance's reader may be further along); beyond the topic's end it is not a position this
   * deployment sent: VALIDATION_ERROR (400).
   */
  private async refuseBeyondEnd(cursor: StreamCursor, reader: SharedReader): Promise<void> {
    const live = reader.hub.position();
    const from = cursor.position();
    const ahead = cursor.partitions().filter((p) => offsetAt(from, p) > offsetAt(live, p));
    if (ahead.length === 0) return;
    let ends: Offsets;
    try {
      ends = await this.o.endOffsets();
    } catch {
      throw notReady('live events are unavailable: device.twins cannot be read');
    }
    const beyond = ahead.filter((p) => offsetAt(from, p) > offsetAt(ends, p));
    if (beyond.length > 0) throw beyondEnd(beyond, from, ends);
  }

  private start(makeSink: SinkFactory, reader: SharedReader, cursor: StreamCursor, counted: boolean): void {
    // onClose runs from start() on, by when `stream` is initialised.
    const sink = makeSink(() => this.streamClosed(stream));
    const stream: OpenStream = { sink, counted, cursor, reader: 'shared' };
    this.streams.add(stream);
    stream.sink.start(cursor.eventId());
    // Closed while `open` awaited the reader: end at once, the client resumes elsewhere.
    if (this.closed) stream.sink.close();
    if (stream.sink.isClosed) return;
    const deliver = (change: TwinChange): void => {
      const event = cursor.accept(change);
      if (event === undefined || stream.sink.isClosed) return;
      stream.sink.send(event, change);
      this.metrics.events.inc();
    };
    // Synchronous from here to attach: no record can be published between the check and the replay.
    if (reader.hub.canReplay(cursor)) {
      const detach = reader.hub.attach(deliver);
      // Closed during the replay (a client too slow for it): streamClosed ran before a release existed.
      if (stream.sink.isClosed) {
        detach();
        return;
      }
      stream.release = detach;
      this.metrics.streams.inc({ reader: 'shared' });
      return;
    }
    if (this.replayConsumers >= this.o.maxReplayConsumers) {
      // Lost a race for the last slot since `open`: the client retries with the same id.
      stream.sink.close();
      return;
    }
    stream.reader = 'own';
    this.replayConsumers += 1;
    this.metrics.streams.inc({ reader: 'own' });
    const consumer = this.o.startReplayReader(cursor, deliver, () => stream.sink.close());
    stream.release = () => consumer.then((c) => c.stop()).catch(() => undefined);
    consumer.catch((err: unknown) => {
      this.o.logger.warn('event stream reader failed to start; the client will resume', { error: err });
      stream.sink.close();
    });
  }

  private end(stream: OpenStream): Promise<void> {
    stream.sink.close();
    return stream.released ?? Promise.resolve();
  }

  /** Runs once per stream (SseResponse's onClose): frees its slot, then its listener or consumer. */
  private streamClosed(stream: OpenStream): void {
    if (!this.streams.delete(stream)) return;
    if (stream.counted) this.reserved -= 1;
    if (stream.release) this.metrics.streams.dec({ reader: stream.reader });
    if (stream.reader === 'own') this.replayConsumers -= 1;
    stream.released = Promise.resolve(stream.release?.()).catch((err: unknown) =>
      this.o.logger.warn('event stream cleanup failed', { error: err }),
    );
  }
}
