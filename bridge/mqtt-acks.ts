import type { DoneCallback, IPublishPacket, MqttClient } from 'mqtt';

/**
 * Manual PUBACKs with mqtt.js 5.16, so that a QoS 1 message is acknowledged only after Kafka has
 * it, while many messages are in flight at once.
 *
 * Why not `customHandleAcks` or a delayed `handleMessage` callback: mqtt.js handles incoming
 * packets strictly one at a time (client.js `connect()`: `work()` takes the next parsed packet only
 * when the handler calls `done`), and for QoS 1 that `done` is called only after the PUBACK has
 * been sent (handlers/publish.js: `customHandleAcks` callback → `handleMessage` callback →
 * `_sendPacket(puback, done)`). Holding either callback until Kafka acknowledged therefore holds
 * every later packet too: one message per Kafka round trip (measured: 6 messages with a 200 ms
 * hold arrive 200 ms apart), and no batching.
 *
 * What this does instead: `handleMessage` returns at once with `DEFER_PUBACK`; handlers/publish.js
 * then calls `done(err)` without sending the PUBACK (`if (err) return done && done(err)`), and
 * mqtt.js goes on reading. The bridge sends the PUBACK itself later with the client's
 * `_sendPacket`, the same call mqtt.js makes. Holding the `handleMessage` callback is still the
 * backpressure: the uplink does so while too many messages are in flight.
 *
 * A PUBACK is only meaningful on the connection its PUBLISH came on (packet ids are reused), so
 * each acknowledgement is tied to a connection epoch and dropped if that connection is gone; the
 * broker redelivers those messages to the persistent session.
 */
export const DEFER_PUBACK: Error = new Error('PUBACK deferred until the message is written to Kafka');

/** mqtt.js's internal packet writer (MqttClient#_sendPacket), the one private member used here. */
interface PacketWriter {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }, cb?: DoneCallback): void;
}

export interface ManualAcks {
  /** The current connection epoch; it changes on every (re)connect. */
  epoch(): number;
  /**
   * Sends the PUBACK of `messageId` if the connection of `epoch` is still the current, connected
   * one; returns false (and sends nothing) otherwise.
   */
  ack(messageId: number, epoch: number): boolean;
}

/**
 * Prepares `client` for deferred PUBACKs. Call before the client connects, so every connection
 * gets its epoch before its first message. Throws if this mqtt.js lacks the internals relied on.
 */
export function createManualAcks(client: MqttClient): ManualAcks {
  const writer = client as unknown as Partial<PacketWriter>;
  if (typeof writer._sendPacket !== 'function') {
    throw new Error('this mqtt.js version has no MqttClient#_sendPacket; manual PUBACKs are not possible');
  }
  let epoch = 0;
  client.on('connect', () => {
    epoch++;
  });
  return {
    epoch: () => epoch,
    ack: (messageId, messageEpoch) => {
      if (messageEpoch !== epoch || !client.connected) return false;
      writer._sendPacket!.call(client, { cmd: 'puback', messageId, reasonCode: 0 });
      return true;
    },
  };
}

/** What the uplink does with each PUBLISH; call `release` to let mqtt.js read the next packet. */
export type PublishHandler = (packet: IPublishPacket, release: () => void) => void;

/**
 * Routes every incoming PUBLISH to `handler` through `handleMessage` (mqtt.js's documented
 * backpressure hook: the next packet is read only after `release`). For QoS 1 the automatic
 * PUBACK is suppressed (see above); QoS 0 needs none.
 */
export function interceptPublishes(client: MqttClient, handler: PublishHandler): void {
  client.handleMessage = (packet: IPublishPacket, callback: DoneCallback): void => {
    let released = false;
    handler(packet, () => {
      if (released) return;
      released = true;
      callback(packet.qos === 1 ? DEFER_PUBACK : undefined);
    });
  };
}
