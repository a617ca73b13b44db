import { Channel, type AnomalyKind, type ChannelSpec } from './channel';
import type { JsonObject, JsonValue } from '../../shared/json';
import type { SimMessage } from './message';
import { pick, type Random } from './random';

/** Device types and their readings (docs/contract.md, Telemetry: temperature, humidity, pressure, ...). */
export const DEVICE_TYPES: Record<string, Record<string, ChannelSpec>> = {
  temperature_sensor: {
    temperature: { base: 23, spread: 3, step: 0.3, min: -20, max: 60, decimals: 1 },
    humidity: { base: 60, spread: 15, step: 1, min: 0, max: 100, decimals: 1 },
    pressure: { base: 1013.25, spread: 8, step: 0.4, min: 950, max: 1060, decimals: 2 },
    battery: { base: 90, spread: 10, step: 0.02, min: 0, max: 100, decimals: 2 },
  },
  smart_meter: {
    voltage: { base: 230, spread: 3, step: 0.5, min: 200, max: 260, decimals: 1 },
    current: { base: 5, spread: 4, step: 0.4, min: 0, max: 32, decimals: 2 },
    energy: { base: 1000, spread: 900, step: 0.05, min: 0, max: 1e9, decimals: 3, monotonic: true },
  },
  smart_light: {
    brightness: { base: 60, spread: 40, step: 5, min: 0, max: 100, decimals: 0 },
    power: { base: 8, spread: 4, step: 0.5, min: 0, max: 60, decimals: 1 },
  },
};

const TYPE_NAMES = Object.keys(DEVICE_TYPES);
const ERRORS = [
  { error_code: 'E001', message: 'Sensor reading failed', details: { reason: 'timeout' } },
  { error_code: 'E002', message: 'Battery low', details: { reason: 'threshold' } },
  { error_code: 'E003', message: 'Calibration out of range', details: { reason: 'drift' } },
];

/**
 * One simulated device: its readings (random walks with anomalies), its reported configuration
 * (which follows desired state it receives), a telemetry counter and a device-side state version.
 */
export class SimDevice {
  readonly type: string;
  private readonly channels: [string, Channel][];
  private readonly config: JsonObject = { interval: 10, mode: 'normal' };
  private readonly firmware: string;
  private last: JsonObject = {};
  private seq = 0;
  private stateVersion = 0;
  /** Epoch ms at which an offline period ends; undefined while online. */
  offlineUntil: number | undefined;

  constructor(
    readonly id: string,
    random: Random,
  ) {
    this.type = pick(random, TYPE_NAMES);
    this.channels = Object.entries(DEVICE_TYPES[this.type]!).map(([name, spec]) => [
      name,
      new Channel(spec, random),
    ]);
    this.firmware = `1.${Math.floor(random() * 4)}.${Math.floor(random() * 10)}`;
  }

  /** `{"timestamp", "data": {...}}`; `data.seq` counts this device's telemetry when `numbered`. */
  telemetry(
    nowMs: number,
    random: Random,
    anomalyRate: number,
    numbered: boolean,
  ): { message: SimMessage; anomalies: AnomalyKind[] } {
    const data: JsonObject = {};
    const anomalies: AnomalyKind[] = [];
    for (const [name, channel] of this.channels) {
      const { value, started } = channel.next(random, anomalyRate);
      data[name] = value;
      if (started) anomalies.push(started);
    }
    this.seq += 1;
    if (numbered) data.seq = this.seq;
    this.last = data;
    const payload = { timestamp: new Date(nowMs).toISOString(), data };
    const message: SimMessage = { kind: 'telemetry', deviceId: this.id, payload, retain: false };
    if (numbered) message.seq = this.seq;
    return { message, anomalies };
  }

  /** The full reported state: last readings, configuration and firmware, with a new version. */
  state(nowMs: number): SimMessage {
    this.stateVersion += 1;
    const reported: JsonObject = { ...this.last, ...this.config, firmware: this.firmware };
    const payload = { version: this.stateVersion, timestamp: new Date(nowMs).toISOString(), reported };
    return { kind: 'state', deviceId: this.id, payload, retain: false };
  }

  status(status: 'online' | 'offline'): SimMessage {
    return { kind: 'status', deviceId: this.id, payload: status, retain: true };
  }

  error(random: Random): SimMessage {
    const e = pick(random, ERRORS);
    const payload = { ...e, details: { ...e.details, sensor: this.channels[0]![0] } };
    return { kind: 'error', deviceId: this.id, payload, retain: false };
  }

  /** The acknowledgement of a command; `failed` now and then, as real devices do. */
  ack(commandId: string, random: Random): SimMessage {
    const ok = random() >= 0.05;
    const payload: JsonObject = ok
      ? { command_id: commandId, status: 'success', result: { execution_time: 0.1 } }
      : { command_id: commandId, status: 'failed', result: { error: 'device busy' } };
    return { kind: 'ack', deviceId: this.id, payload, retain: false };
  }

  /** Takes the scalar fields of a desired document into the configuration; true when any changed. */
  applyDesired(desired: Record<string, unknown>): boolean {
    let changed = false;
    for (const [key, value] of Object.entries(desired)) {
      if (UNSAFE_KEYS.has(key) || !isScalar(value) || this.config[key] === value) continue;
      if (value === null) delete this.config[key];
      else this.config[key] = value;
      changed = true;
    }
    return changed;
  }
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isScalar(value: unknown): value is JsonValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
