import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { mqttTopicOf, payloadBytes, type Downlink, type SimMessage } from './message';
import { pollPending, type ConnectListener, type Transport, type TransportCounts } from './transport';

export interface MqttTransportOptions {
  url: string;
  /** MQTT connections the devices are spread over (one per device when it equals the fleet size). */
  connections: number;
  qos: 0 | 1;
  clientIdPrefix: string;
  username?: string;
  password?: string;
  /** Subscribe to each device's command and desired topics (acks and state reports follow). */
  listen: boolean;
  /** First level(s) of every topic: `device` gives docs/contract.md's `device/{id}/telemetry`. */
  root: string;
}

const SUBSCRIBE_CHUNK = 500;

/**
 * Devices over MQTT, in docs/contract.md's topic layout. A connection that carries one device has that
 * device's `offline` status as its last will, as a real device would; pooled connections have none
 * and re-announce their devices after a reconnect instead.
 */
export class MqttTransport implements Transport {
  readonly counts: TransportCounts = { published: 0, acknowledged: 0, failed: 0 };
  private readonly clients: MqttClient[] = [];
  private readonly clientOf = new Map<string, MqttClient>();
  private readonly connectListeners: ConnectListener[] = [];
  private readonly downlinkListeners: ((downlink: Downlink) => void)[] = [];

  constructor(private readonly options: MqttTransportOptions) {}

  async connect(deviceIds: readonly string[]): Promise<void> {
    const count = Math.max(1, Math.min(this.options.connections, deviceIds.length));
    const groups: string[][] = Array.from({ length: count }, () => []);
    deviceIds.forEach((id, i) => groups[i % count]!.push(id));
    await Promise.all(groups.map((ids, i) => this.open(ids, i)));
  }

  private async open(ids: string[], index: number): Promise<void> {
    const { options } = this;
    const only = ids.length === 1 ? ids[0] : undefined;
    const clientOptions: IClientOptions = {
      clientId: `${options.clientIdPrefix}-${index}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10000,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(only === undefined
        ? {}
        : {
            will: {
              topic: `${options.root}/${only}/status`,
              payload: Buffer.from('offline'),
              qos: 1,
              retain: true,
            },
          }),
    };
    const client = mqtt.connect(options.url, clientOptions);
    this.clients.push(client);
    for (const id of ids) this.clientOf.set(id, client);
    client.on('message', (topic, payload) => this.deliver(topic, payload));
    client.on('error', () => undefined); // reconnects on its own; failed publishes are counted
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    let first = true;
    const announce = (): void => {
      for (const listener of this.connectListeners) listener(ids, !first);
      first = false;
    };
    client.on('connect', announce);
    announce();
    if (options.listen) {
      const topics = ids.flatMap((id) => [`${options.root}/${id}/command`, `${options.root}/${id}/desired`]);
      for (let i = 0; i < topics.length; i += SUBSCRIBE_CHUNK)
        await client.subscribeAsync(topics.slice(i, i + SUBSCRIBE_CHUNK), { qos: 1 });
    }
  }

  private deliver(topic: string, payload: Buffer): void {
    const [id, kind] = topic.slice(this.options.root.length + 1).split('/');
    if (!topic.startsWith(`${this.options.root}/`) || !id || (kind !== 'command' && kind !== 'desired'))
      return;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    for (const listener of this.downlinkListeners) listener({ deviceId: id, kind, body });
  }

  publish(message: SimMessage): void {
    const client = this.clientOf.get(message.deviceId);
    if (!client) throw new Error(`device ${message.deviceId} has no connection; connect first`);
    this.counts.published += 1;
    client.publish(
      mqttTopicOf(message, this.options.root),
      payloadBytes(message),
      { qos: this.options.qos, retain: message.retain },
      (err) => (err ? (this.counts.failed += 1) : (this.counts.acknowledged += 1)),
    );
  }

  pending(): number {
    return this.counts.published - this.counts.acknowledged - this.counts.failed;
  }

  waitForPending(max: number): Promise<void> {
    return pollPending(() => this.pending(), max);
  }

  dropConnection(): void {
    const client = this.clients[Math.floor(Math.random() * this.clients.length)];
    if (client?.connected) client.stream.destroy();
  }

  onConnect(listener: ConnectListener): void {
    this.connectListeners.push(listener);
  }

  onDownlink(listener: (downlink: Downlink) => void): void {
    this.downlinkListeners.push(listener);
  }

  async close(): Promise<void> {
    await pollPending(() => this.pending(), 0, 5000);
    await Promise.all(this.clients.map((c) => c.endAsync(false).catch(() => undefined)));
  }
}
