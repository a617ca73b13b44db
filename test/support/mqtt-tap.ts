import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A QoS 1 message the tapped client acknowledged (its PUBACK passed the tap at `at`). */
export interface TappedAck {
  topic: string;
  payload: Buffer;
  /** Date.now() when the PUBACK reached the tap, before it was passed on to the broker. */
  at: number;
}

/**
 * A TCP proxy between an MQTT client (the bridge) and the broker that passes every byte on
 * unchanged and watches the protocol: the QoS 1 PUBLISH packets the broker sends the client, and
 * the client's PUBACKs. So a test sees exactly which messages the bridge acknowledged and when,
 * which the devices cannot: their PUBACKs come from the broker, not from the bridge.
 * Every client connection is tapped separately (packet ids are per connection); a closed client
 * connection closes its broker connection, so a killed client looks killed to the broker too.
 * `close()` ends every connection and the listener.
 */
export class MqttTap {
  readonly acks: TappedAck[] = [];
  /** QoS 1 PUBLISH packets passed to the client. */
  delivered = 0;
  /**
   * The most QoS 1 messages the broker had sent the client without getting their PUBACK, at once
   * on one connection (what waits in socket buffers included).
   */
  maxUnacked = 0;
  private readonly sockets = new Set<Socket>();
  private readonly unackedByConnection = new Set<Map<number, unknown>>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on a free local port and forwards each connection to `upstream` (mqtt://host:port). */
  static async start(upstream: string): Promise<MqttTap> {
    const target = new URL(upstream);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('tap has no address');
    const tap = new MqttTap(server, `mqtt://127.0.0.1:${address.port}`);
    server.on('connection', (client) =>
      tap.pipe(client, createConnection({ host: target.hostname, port: Number(target.port || 1883) })),
    );
    return tap;
  }

  /** QoS 1 messages sent to the client and not acknowledged yet (over its open connections). */
  get unacked(): number {
    let n = 0;
    for (const m of this.unackedByConnection) n += m.size;
    return n;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, broker: Socket): void {
    for (const s of [client, broker]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => undefined); // a killed peer: the close below cleans up
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        broker.destroy();
      });
    }
    const unacked = new Map<number, { topic: string; payload: Buffer }>();
    this.unackedByConnection.add(unacked);
    client.once('close', () => this.unackedByConnection.delete(unacked));
    let protocolLevel = 4;
    client.on(
      'data',
      packetReader(
        (type, _flags, body) => {
          if (type === CONNECT) protocolLevel = body[2 + body.readUInt16BE(0)] ?? 4;
          if (type === PUBACK) {
            const at = Date.now();
            const id = body.readUInt16BE(0);
            const message = unacked.get(id);
            unacked.delete(id);
            if (message) this.acks.push({ ...message, at });
          }
        },
        client,
        broker,
      ),
    );
    broker.on(
      'data',
      packetReader(
        (type, flags, body) => {
          if (type !== PUBLISH || ((flags >> 1) & 3) !== 1) return;
          this.delivered++;
          const { topic, packetId, payload } = parsePublish(body, protocolLevel);
          unacked.set(packetId, { topic, payload });
          this.maxUnacked = Math.max(this.maxUnacked, unacked.size);
        },
        broker,
        client,
      ),
    );
  }
}

const CONNECT = 1;
const PUBLISH = 3;
const PUBACK = 4;

/** MQTT variable byte integer at `offset`: its value and the offset after it, or undefined if cut off. */
function varint(buf: Buffer, offset: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const byte = buf[offset + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 128 ** i;
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 };
  }
  throw new Error('malformed MQTT remaining length');
}

/**
 * A 'data' listener of `from` that first forwards the chunk to `to` (pausing `from` while `to` is
 * full, so a client that stops reading holds the broker back as it would without the tap), then
 * splits the stream into MQTT packets and calls `onPacket` with each packet's type, flags and body
 * (after the fixed header).
 */
function packetReader(
  onPacket: (type: number, flags: number, body: Buffer) => void,
  from: Socket,
  to: Socket,
): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    for (;;) {
      if (pending.length - offset < 2) break;
      const length = varint(pending, offset + 1);
      if (!length || length.next + length.value > pending.length) break;
      const first = pending[offset]!;
      onPacket(first >> 4, first & 0x0f, pending.subarray(length.next, length.next + length.value));
      offset = length.next + length.value;
    }
    pending = pending.subarray(offset);
  };
}

function parsePublish(
  body: Buffer,
  protocolLevel: number,
): { topic: string; packetId: number; payload: Buffer } {
  const topicLength = body.readUInt16BE(0);
  const topic = body.toString('utf8', 2, 2 + topicLength);
  const packetId = body.readUInt16BE(2 + topicLength);
  let offset = 4 + topicLength;
  if (protocolLevel === 5) {
    const properties = varint(body, offset)!;
    offset = properties.next + properties.value;
  }
  return { topic, packetId, payload: Buffer.from(body.subarray(offset)) };
}
