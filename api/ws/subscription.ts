import type { StreamSink } from '../events/event-streams';
import type { SseEvent } from '../events/stream-cursor';
import type { ChangeSelector, TwinChange } from '../events/twin-change';
import { changeMessage, subscribedMessage, type ServerMessageType } from './messages';

/** Sends one message on the subscription's connection. */
export type Send = (type: ServerMessageType, text: string) => void;

/**
 * One subscription of a WebSocket connection: an EventStreams sink (the same cursor, replay and
 * reader as a Server-Sent Event stream). Remembers the position of the last message it sent, so
 * `unsubscribed` can name where to resume.
 */
export class Subscription implements StreamSink {
  private closed = false;
  private lastPosition = '';

  /**
   * @param onClose EventStreams' release, run once when the subscription ends
   * @param onEnded told once the subscription ended, whoever ended it (connection bookkeeping)
   */
  constructor(
    readonly id: string,
    private readonly selector: ChangeSelector,
    private readonly sendMessage: Send,
    private readonly onClose: () => void,
    private readonly onEnded: (subscription: Subscription) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** The position after the last message sent: where to resume. */
  get position(): string {
    return this.lastPosition;
  }

  start(initialId: string): void {
    this.lastPosition = initialId;
    this.sendMessage('subscribed', subscribedMessage(this.id, this.selector, initialId));
  }

  send(event: SseEvent, change: TwinChange): void {
    if (this.closed) return;
    this.lastPosition = event.id;
    const { type, text } = changeMessage(this.id, event, change);
    this.sendMessage(type, text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.onEnded(this);
  }
}
