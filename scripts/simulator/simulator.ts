import { Fleet, type FleetCounts, type FleetOptions } from './fleet';
import { KafkaTransport } from './kafka-transport';
import type { SimMessage } from './message';
import { MqttTransport } from './mqtt-transport';
import { Pacer } from './pacer';
import type { Transport, TransportCounts } from './transport';

/** Everything the simulator can be told (see options.ts for the flags and their defaults). */
export interface SimulatorOptions extends FleetOptions {
  /** Messages per second, all devices together. */
  rate: number;
  transport: 'mqtt' | 'kafka';
  mqttUrl: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** First level(s) of the MQTT topics (`device`). */
  mqttRoot: string;
  connections: number;
  qos: 0 | 1;
  /** Subscribe to commands and desired state (MQTT only). */
  listen: boolean;
  kafkaBrokers: string[];
  topicPrefix: string;
  /** MQTT connections dropped abruptly per second, all together (they reconnect a second later). */
  reconnectRate: number;
  /** Say `online` for every device at start and `offline` at a clean stop. */
  announce: boolean;
  /** A name for client ids, unique per running simulator. */
  clientId: string;
}

export interface SimulatorStats extends FleetCounts {
  transport: TransportCounts;
  pending: number;
  reconnects: number;
  /** Message slots lost because the process fell more than a second behind its schedule. */
  skippedSlots: number;
}

/** Called for every message handed to the transport, with the time it was handed over. */
export type SendHook = (message: SimMessage, atMs: number) => void;

/** The transport the options name. */
export function createTransport(options: SimulatorOptions): Transport {
  if (options.transport === 'kafka') {
    return new KafkaTransport({
      brokers: options.kafkaBrokers,
      topicPrefix: options.topicPrefix,
      clientId: options.clientId,
      batchSize: 2000,
    });
  }
  return new MqttTransport({
    url: options.mqttUrl,
    connections: options.connections,
    qos: options.qos,
    clientIdPrefix: options.clientId,
    listen: options.listen,
    root: options.mqttRoot,
    ...(options.mqttUsername === undefined ? {} : { username: options.mqttUsername }),
    ...(options.mqttPassword === undefined ? {} : { password: options.mqttPassword }),
  });
}

/**
 * A fleet of simulated devices sending at a steady rate over one transport. `start` connects and
 * begins; `setRate` changes the pace; `stop` says goodbye (when `announce`) and disconnects.
 */
export class Simulator {
  readonly fleet: Fleet;
  private readonly pacer: Pacer;
  private reconnects = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: SimulatorOptions,
    private readonly onSend: SendHook = () => undefined,
    readonly transport: Transport = createTransport(options),
  ) {
    this.fleet = new Fleet(options);
    this.pacer = new Pacer((n) => this.sendSome(n));
    transport.onConnect((ids, reconnect) => {
      if (reconnect) this.reconnects += 1;
      if (options.announce || reconnect) this.fleet.announce(ids);
    });
    transport.onDownlink((downlink) => this.fleet.receive(downlink, Date.now()));
  }

  async start(): Promise<void> {
    await this.transport.connect(this.fleet.ids());
    this.pacer.start(this.options.rate);
    if (this.options.reconnectRate > 0 && this.options.transport === 'mqtt') {
      this.reconnectTimer = setInterval(() => {
        if (Math.random() < this.options.reconnectRate) this.transport.dropConnection();
      }, 1000);
    }
  }

  setRate(rate: number): void {
    this.pacer.start(rate);
  }

  /** Stops sending until the next `setRate`; connections stay up and replies stay queued. */
  pause(): void {
    this.pacer.stop();
  }

  private sendSome(n: number): void {
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const message = this.fleet.next(now);
      if (!message) return;
      this.transport.publish(message);
      this.onSend(message, now);
    }
  }

  stats(): SimulatorStats {
    return {
      ...this.fleet.counts,
      transport: { ...this.transport.counts },
      pending: this.transport.pending(),
      reconnects: this.reconnects,
      skippedSlots: this.pacer.skipped,
    };
  }

  /** Stops sending, says `offline` for every device (when `announce`), waits for acks, disconnects. */
  async stop(): Promise<SimulatorStats> {
    this.pacer.stop();
    if (this.reconnectTimer) clearInterval(this.reconnectTimer);
    if (this.options.announce) for (const m of this.fleet.farewell()) this.transport.publish(m);
    await this.transport.close();
    return this.stats();
  }
}
