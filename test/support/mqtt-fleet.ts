import { connectAsync, type MqttClient } from 'mqtt';

/** What each simulated device publishes: its own sequence number and the publish time. */
export interface FleetPayload {
  seq: number;
  sentAt: number;
  data: { v: number };
  /** The device's clock (= sentAt), with `deviceTimestamp`: a redelivered copy is then older. */
  timestamp?: number;
}

export interface FleetOptions {
  mqttUrl: string;
  /** MQTT connections; device i publishes on connection i % connections. */
  connections: number;
  deviceIds: string[];
  /** Messages per device (seq 0 .. perDevice - 1). */
  perDevice: number;
  /** The MQTT topic of a device's telemetry. */
  topic: (deviceId: string) => string;
  /** Messages per second over the whole fleet; unset: as fast as PUBACKs come back. */
  ratePerSecond?: number;
  /** Publishes awaiting their PUBACK per connection. Default 200. */
  window?: number;
  /** User name and password of connection i (a broker with the shipped ACL: the device's id). */
  credentials?: (connection: number) => { username: string; password: string };
  /** Send `timestamp` (the device's clock) with each message. */
  deviceTimestamp?: boolean;
}

/** `${deviceId}:${seq}`: one publication. */
export const messageKey = (deviceId: string, seq: number): string => `${deviceId}:${seq}`;

/**
 * Simulated devices publishing QoS 1 telemetry over several MQTT connections, each device its
 * messages in sequence order on one connection. Records every publication the broker acknowledged
 * (`acked`: key -> time of the PUBACK) and every one sent (`sent`). `close()` ends the connections.
 */
export class MqttFleet {
  readonly acked = new Map<string, number>();
  sent = 0;
  private clients: MqttClient[] = [];

  constructor(private readonly options: FleetOptions) {}

  get deviceCount(): number {
    return this.options.deviceIds.length;
  }

  get total(): number {
    return this.options.deviceIds.length * this.options.perDevice;
  }

  async connect(name: string): Promise<void> {
    const { mqttUrl, connections, credentials } = this.options;
    this.clients = await Promise.all(
      [...Array(connections).keys()].map((i) =>
        connectAsync(mqttUrl, { clientId: `${name}-pub-${i}`, reconnectPeriod: 0, ...credentials?.(i) }),
      ),
    );
  }

  /** Publishes every message; resolves when the broker acknowledged them all. */
  async run(): Promise<void> {
    const { connections, deviceIds } = this.options;
    const started = Date.now();
    await Promise.all(
      this.clients.map((client, c) =>
        this.publishAll(
          client,
          deviceIds.filter((_id, i) => i % connections === c),
          started,
        ),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
    this.clients = [];
  }

  private async publishAll(client: MqttClient, ids: string[], started: number): Promise<void> {
    const { perDevice, topic, ratePerSecond, connections, window = 200, deviceTimestamp } = this.options;
    const perConnectionRate = ratePerSecond === undefined ? undefined : ratePerSecond / connections;
    const pending = new Set<Promise<void>>();
    let count = 0;
    for (let seq = 0; seq < perDevice; seq++) {
      for (const id of ids) {
        if (perConnectionRate !== undefined) {
          const due = started + (count / perConnectionRate) * 1000;
          if (due - Date.now() > 2) await sleep(due - Date.now());
        }
        while (pending.size >= window) await Promise.race(pending);
        const sentAt = Date.now();
        const payload: FleetPayload = { seq, sentAt, data: { v: seq } };
        if (deviceTimestamp) payload.timestamp = sentAt;
        const p = client.publishAsync(topic(id), JSON.stringify(payload), { qos: 1 }).then(() => {
          this.acked.set(messageKey(id, seq), Date.now());
          pending.delete(p);
        });
        pending.add(p);
        this.sent++;
        count++;
      }
    }
    await Promise.all(pending);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
