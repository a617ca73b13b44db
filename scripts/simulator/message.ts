/** What the simulated devices send and receive, independent of how it travels (MQTT or Kafka). */
import type { DeviceKind } from '../../shared/inputs';
import type { JsonObject } from '../../shared/json';

/** The device → cloud message kinds. */
export type SimKind = DeviceKind;

/** One message from one device. */
export interface SimMessage {
  kind: SimKind;
  deviceId: string;
  /** A JSON object, or for status the plain word devices usually send (`online` / `offline`). */
  payload: JsonObject | 'online' | 'offline';
  /** Status is retained, as a device's last will is. */
  retain: boolean;
  /** Telemetry only, when readings are numbered: the device's telemetry counter (also `data.seq`). */
  seq?: number;
}

/** What reaches a device from the cloud (the bridge's downlink). */
export interface Downlink {
  deviceId: string;
  kind: 'command' | 'desired';
  body: unknown;
}

/** The MQTT topic of a device message, in docs/contract.md's layout under `root` (`device`). */
export function mqttTopicOf(message: Pick<SimMessage, 'kind' | 'deviceId'>, root = 'device'): string {
  return `${root}/${message.deviceId}/${message.kind}`;
}

/** The bytes a device puts on the wire. */
export function payloadBytes(message: SimMessage): Buffer {
  const { payload } = message;
  return Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
}
