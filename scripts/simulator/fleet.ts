import type { AnomalyKind } from './channel';
import { SimDevice } from './device';
import type { Downlink, SimKind, SimMessage } from './message';
import { between, seededRandom, type Random } from './random';

/** Shares of the messages a device sends of its own accord (normalised; acks answer commands). */
export interface Mix {
  telemetry: number;
  state: number;
  status: number;
  error: number;
}

export const DEFAULT_MIX: Mix = { telemetry: 0.9, state: 0.05, status: 0.03, error: 0.02 };

export interface FleetOptions {
  devices: number;
  /** Device ids are the prefix and a 1-based, zero-padded number: `sim-0001`. */
  idPrefix: string;
  seed: number;
  mix: Mix;
  /** Chance, per reading of each channel, that an anomaly starts. */
  anomalyRate: number;
  /** Chance, per message slot of a device, that it says `offline` and goes silent. */
  offlineRate: number;
  /** How long an offline period lasts, in seconds: [min, max]. */
  offlineSeconds: [number, number];
  /** Adds `data.seq` (a per-device counter) to telemetry, for latency and order checks. */
  numbered: boolean;
}

/** What the fleet has done so far. */
export interface FleetCounts {
  sent: Record<SimKind, number>;
  anomalies: Record<AnomalyKind, number>;
  offlinePeriods: number;
  commandsReceived: number;
  desiredReceived: number;
}

/** The id of device `index` (0-based) under `prefix`. */
export function deviceId(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(4, '0')}`;
}

/**
 * The simulated devices and what they say next. `next` hands out one message per call: replies
 * first (acks, state reports after a desired change, online announcements), then each device in
 * turn with a message drawn from the mix. Pure apart from its seeded PRNG: the clock is passed in.
 */
export class Fleet {
  readonly devices: SimDevice[];
  readonly counts: FleetCounts = {
    sent: { telemetry: 0, state: 0, status: 0, ack: 0, error: 0 },
    anomalies: { spike: 0, stuck: 0, drift: 0 },
    offlinePeriods: 0,
    commandsReceived: 0,
    desiredReceived: 0,
  };
  private readonly byId: Map<string, SimDevice>;
  private readonly random: Random;
  private readonly shares: [SimKind, number][];
  private readonly replies: SimMessage[] = [];
  private cursor = 0;

  constructor(private readonly options: FleetOptions) {
    this.random = seededRandom(options.seed);
    this.devices = Array.from(
      { length: options.devices },
      (_, i) => new SimDevice(deviceId(options.idPrefix, i), this.random),
    );
    this.byId = new Map(this.devices.map((d) => [d.id, d]));
    const { telemetry, state, status, error } = options.mix;
    const total = telemetry + state + status + error || 1;
    let sum = 0;
    this.shares = (
      [
        ['telemetry', telemetry],
        ['state', state],
        ['status', status],
        ['error', error],
      ] as [SimKind, number][]
    ).map(([kind, share]) => [kind, (sum += share / total)]);
  }

  ids(): string[] {
    return this.devices.map((d) => d.id);
  }

  /** Queues `online` for these devices (those in an offline period stay silent). */
  announce(ids: readonly string[]): void {
    for (const id of ids) {
      const device = this.byId.get(id);
      if (device && device.offlineUntil === undefined) this.replies.push(device.status('online'));
    }
  }

  /** Every device's `offline` status, for a clean stop; clears pending replies. */
  farewell(): SimMessage[] {
    this.replies.length = 0;
    return this.devices.map((d) => this.counted(d.status('offline')));
  }

  /** A command is acknowledged; a desired change is applied and reported back as state. */
  receive(downlink: Downlink, nowMs: number): void {
    const device = this.byId.get(downlink.deviceId);
    const body = downlink.body;
    if (!device || typeof body !== 'object' || body === null) return;
    if (downlink.kind === 'command') {
      this.counts.commandsReceived += 1;
      const commandId = (body as { command_id?: unknown }).command_id;
      if (typeof commandId === 'string') this.replies.push(device.ack(commandId, this.random));
      return;
    }
    this.counts.desiredReceived += 1;
    const desired = (body as { desired?: unknown }).desired;
    if (typeof desired === 'object' && desired !== null && !Array.isArray(desired)) {
      if (device.applyDesired(desired as Record<string, unknown>)) this.replies.push(device.state(nowMs));
    }
  }

  /** The next message to send, or undefined when every device is in an offline period. */
  next(nowMs: number): SimMessage | undefined {
    const reply = this.replies.shift();
    if (reply) return this.counted(reply);
    const n = this.devices.length;
    for (let tries = 0; tries < n; tries++) {
      const device = this.devices[this.cursor]!;
      this.cursor = (this.cursor + 1) % n;
      if (device.offlineUntil !== undefined) {
        if (nowMs < device.offlineUntil) continue;
        device.offlineUntil = undefined;
        return this.counted(device.status('online'));
      }
      if (this.options.offlineRate > 0 && this.random() < this.options.offlineRate) {
        const [min, max] = this.options.offlineSeconds;
        device.offlineUntil = nowMs + between(this.random, min, max) * 1000;
        this.counts.offlinePeriods += 1;
        return this.counted(device.status('offline'));
      }
      return this.counted(this.draw(device, nowMs));
    }
    return undefined;
  }

  private draw(device: SimDevice, nowMs: number): SimMessage {
    const r = this.random();
    const kind = this.shares.find(([, upTo]) => r < upTo)?.[0] ?? 'telemetry';
    if (kind === 'state') return device.state(nowMs);
    if (kind === 'status') return device.status('online');
    if (kind === 'error') return device.error(this.random);
    const { message, anomalies } = device.telemetry(
      nowMs,
      this.random,
      this.options.anomalyRate,
      this.options.numbered,
    );
    for (const a of anomalies) this.counts.anomalies[a] += 1;
    return message;
  }

  private counted(message: SimMessage): SimMessage {
    this.counts.sent[message.kind] += 1;
    return message;
  }
}
