import { Duplex } from 'node:stream';
import { MqttClient, type IPublishPacket } from 'mqtt';
import { createManualAcks, interceptPublishes } from '../../../bridge/mqtt-acks';

/**
 * Runs the real mqtt.js client against an in-memory stream: the test plays the broker by writing
 * raw MQTT 5 packets, and reads what the client writes back. No broker needed.
 */
class FakeBroker {
  readonly written: Buffer[] = [];
  stream: Duplex | undefined;

  builder = (): Duplex => {
    this.stream = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, cb) => {
        this.written.push(Buffer.from(chunk));
        cb();
      },
    });
    return this.stream;
  };

  send(packet: Buffer): void {
    this.stream!.push(packet);
  }

  connack(sessionPresent = false): void {
    this.send(Buffer.from([0x20, 0x03, sessionPresent ? 1 : 0, 0x00, 0x00]));
  }

  publishQos1(topic: string, packetId: number, payload: string): void {
    const t = Buffer.from(topic);
    const body = Buffer.concat([
      Buffer.from([t.length >> 8, t.length & 0xff]),
      t,
      Buffer.from([packetId >> 8, packetId & 0xff, 0x00]),
      Buffer.from(payload),
    ]);
    this.send(Buffer.concat([Buffer.from([0x32, body.length]), body]));
  }

  /** Packet ids of the PUBACKs the client wrote (mqtt.js may write one packet in several chunks). */
  pubacks(): number[] {
    const bytes = Buffer.concat(this.written);
    const ids: number[] = [];
    let at = 0;
    while (at < bytes.length) {
      const type = bytes[at]! >> 4;
      let length = 0;
      let shift = 0;
      let i = at + 1;
      for (;;) {
        const b = bytes[i++]!;
        length += (b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
      }
      if (type === 4) ids.push((bytes[i]! << 8) | bytes[i + 1]!);
      at = i + length;
    }
    return ids;
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function connectedClient(broker: FakeBroker): Promise<MqttClient> {
  const client = new MqttClient(broker.builder, {
    protocolVersion: 5,
    clientId: 'unit',
    clean: false,
    manualConnect: true,
    reconnectPeriod: 0,
    keepalive: 0,
  });
  client.on('error', () => {});
  return client;
}

describe('manual PUBACKs with mqtt.js', () => {
  let client: MqttClient | undefined;
  afterEach(() => {
    client?.end(true);
    client = undefined;
  });

  it('reads on without acknowledging, and acknowledges when asked, on the same connection', async () => {
    const broker = new FakeBroker();
    client = await connectedClient(broker);
    const acks = createManualAcks(client);
    const received: { packet: IPublishPacket; epoch: number }[] = [];
    interceptPublishes(client, (packet, release) => {
      received.push({ packet, epoch: acks.epoch() });
      release();
    });
    client.connect();
    broker.connack();
    await tick();
    expect(client.connected).toBe(true);

    broker.publishQos1('device/a/telemetry', 7, '{"n":1}');
    broker.publishQos1('device/a/telemetry', 8, '{"n":2}');
    await tick();
    expect(received.map((r) => r.packet.messageId)).toEqual([7, 8]); // second read before the first was acked
    expect(broker.pubacks()).toEqual([]);

    expect(acks.ack(8, received[1]!.epoch)).toBe(true);
    expect(acks.ack(7, received[0]!.epoch)).toBe(true);
    await tick();
    expect(broker.pubacks()).toEqual([8, 7]);
  });

  it('holds every later packet while the handler has not released', async () => {
    const broker = new FakeBroker();
    client = await connectedClient(broker);
    createManualAcks(client);
    const releases: (() => void)[] = [];
    interceptPublishes(client, (_packet, release) => releases.push(release));
    client.connect();
    broker.connack();
    await tick();
    broker.publishQos1('device/a/telemetry', 1, '{}');
    broker.publishQos1('device/a/telemetry', 2, '{}');
    await tick();
    expect(releases).toHaveLength(1);
    releases[0]!();
    await tick();
    expect(releases).toHaveLength(2);
    expect(broker.pubacks()).toEqual([]);
  });

  it('drops an acknowledgement whose connection is gone', async () => {
    const broker = new FakeBroker();
    client = await connectedClient(broker);
    const acks = createManualAcks(client);
    interceptPublishes(client, (_p, release) => release());
    client.connect();
    broker.connack();
    await tick();
    const oldEpoch = acks.epoch();
    broker.stream!.destroy();
    await tick();
    expect(acks.ack(1, oldEpoch)).toBe(false);
  });
});
