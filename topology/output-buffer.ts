import type { Message, TopicMessages } from 'kafkajs';
import type { TopicNames } from '../shared/topics';
import { documentOf } from './document-memo';
import type { DownlinkMessage, TwinEvent, TwinState } from './twin';
import { JSON_TWIN_ENCODER, type TwinEncoder } from './twin-encoder';

/**
 * Everything one commit sends, grouped by topic, in the order it was produced (per-device order
 * in every output topic follows from that and the key-based partitioner).
 */
export class OutputBuffer {
  private readonly byTopic = new Map<string, Message[]>();
  private count = 0;

  constructor(
    private readonly topics: TopicNames,
    private readonly twinEncoder: TwinEncoder = JSON_TWIN_ENCODER,
  ) {}

  add(topic: string, message: Message): void {
    let list = this.byTopic.get(topic);
    if (!list) this.byTopic.set(topic, (list = []));
    list.push(message);
    this.count += 1;
  }

  /**
   * The twin document after a change (a tombstone when deleted, whose `twinfold.version` header is
   * `deletedVersion`, the version the deletion got; nothing when `state` is undefined, i.e.
   * unchanged), then its events and its downlink.
   */
  addChange(
    deviceId: string,
    state: TwinState | null | undefined,
    events: readonly TwinEvent[],
    downlink: readonly DownlinkMessage[],
    timestampMs: number,
    deletedVersion?: number,
  ): void {
    const timestamp = String(timestampMs);
    if (state !== undefined) {
      const twin = state === null ? null : this.twinEncoder.encode(documentOf(state));
      const version = String(state === null ? (deletedVersion ?? '') : state.version);
      this.add(this.topics.twins, {
        key: deviceId,
        value: twin,
        timestamp,
        headers: { 'twinfold.version': version },
      });
    }
    for (const event of events)
      this.add(this.topics.events, { key: deviceId, value: JSON.stringify(event), timestamp });
    for (const message of downlink)
      this.add(this.topics.downlink, { key: deviceId, value: JSON.stringify(message), timestamp });
  }

  get size(): number {
    return this.count;
  }

  topicMessages(): TopicMessages[] {
    return [...this.byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}
