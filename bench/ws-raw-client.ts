import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A minimal WebSocket client for the fan-out benchmark (RFC 6455): the upgrade, one masked text
 * frame out, and the server's frames split by their headers and handed over as payloads, nothing
 * decoded. Hundreds of clients share the cores with the service; the less each costs, the more
 * the figure is the service's.
 */
export class RawWsClient {
  private buffer: Buffer = Buffer.alloc(0);
  private upgraded = false;

  private constructor(
    private readonly socket: Socket,
    private readonly onMessage: (payload: Buffer) => void,
  ) {}

  /** Connects to `ws` at an http:// base URL; resolves once upgraded. */
  static open(baseUrl: string, path: string, onMessage: (payload: Buffer) => void): Promise<RawWsClient> {
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      const client = new RawWsClient(socket, onMessage);
      socket.once('error', reject);
      socket.once('connect', () =>
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
      socket.on('data', (chunk: Buffer) => {
        client.feed(chunk);
        if (client.upgraded) resolve(client);
      });
      socket.once('close', () => reject(new Error('closed before the upgrade')));
    });
  }

  /** Sends one masked text frame (payload under 126 bytes). */
  send(text: string): void {
    const payload = Buffer.from(text);
    if (payload.length >= 126) throw new Error('RawWsClient sends short frames only');
    const mask = randomBytes(4);
    const frame = Buffer.alloc(6 + payload.length);
    frame[0] = 0x81;
    frame[1] = 0x80 | payload.length;
    mask.copy(frame, 2);
    for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
    this.socket.write(frame);
  }

  close(): void {
    this.socket.destroy();
  }

  private feed(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!this.buffer.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101'))
        throw new Error(`upgrade refused: ${this.buffer.subarray(0, end).toString('latin1')}`);
      this.upgraded = true;
      this.buffer = this.buffer.subarray(end + 4);
    }
    let at = 0;
    for (;;) {
      if (this.buffer.length - at < 2) break;
      const short = this.buffer[at + 1]! & 0x7f;
      const header = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (this.buffer.length - at < header) break;
      const length =
        short === 126
          ? this.buffer.readUInt16BE(at + 2)
          : short === 127
            ? Number(this.buffer.readBigUInt64BE(at + 2))
            : short;
      if (this.buffer.length - at < header + length) break;
      if ((this.buffer[at]! & 0x0f) === 1)
        this.onMessage(this.buffer.subarray(at + header, at + header + length));
      at += header + length;
    }
    this.buffer = this.buffer.subarray(at);
  }
}
