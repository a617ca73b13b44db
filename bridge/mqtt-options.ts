import type { IClientOptions } from 'mqtt';
import type { BridgeConfig } from './bridge-config';

export const BRIDGE_ONLINE = 'online';
export const BRIDGE_OFFLINE = 'offline';

type MqttSettings = Pick<BridgeConfig, 'mqttUsername' | 'mqttPassword'>;

/** Credentials from MQTT_USERNAME / MQTT_PASSWORD, and the CA of MQTT_CA_FILE for mqtts://. */
function credentials(
  config: MqttSettings & Pick<BridgeConfig, 'mqttCaFile'>,
): Pick<IClientOptions, 'username' | 'password' | 'ca' | 'rejectUnauthorized'> {
  return {
    ...(config.mqttUsername === undefined ? {} : { username: config.mqttUsername }),
    ...(config.mqttPassword === undefined ? {} : { password: config.mqttPassword }),
    ...(config.mqttCaFile === undefined ? {} : { ca: config.mqttCaFile, rejectUnauthorized: true }),
  };
}

/**
 * The uplink connection: MQTT 5 persistent session (clean start off, a stable client id and a
 * session expiry), so QoS 1 messages the bridge has not acknowledged are kept and redelivered by
 * the broker. `receiveMaximum` asks the broker to stop sending while that many QoS 1 messages are
 * unacknowledged; the bridge also enforces the limit itself (Mosquitto 2.0.11 was seen to exceed
 * it). The bridge's last will marks it offline on its retained status topic.
 */
export function uplinkMqttOptions(bridge: BridgeConfig): IClientOptions {
  return {
    ...credentials(bridge),
    protocolVersion: 5,
    clientId: bridge.clientId,
    clean: false,
    keepalive: bridge.keepaliveSeconds,
    reconnectPeriod: 1000,
    connectTimeout: 30_000,
    resubscribe: true,
    properties: {
      sessionExpiryInterval: bridge.sessionExpirySeconds,
      receiveMaximum: bridge.maxInFlight,
    },
    will: { topic: bridge.bridgeStatusTopic, payload: Buffer.from(BRIDGE_OFFLINE), qos: 1, retain: true },
  };
}

/**
 * The downlink connection only publishes. Its QoS 1 messages awaiting PUBACK live in mqtt.js's
 * memory store and are resent after a reconnect; what a crash loses, Kafka (uncommitted offsets)
 * redelivers. So it needs no persistent session.
 */
export function downlinkMqttOptions(bridge: BridgeConfig): IClientOptions {
  return {
    ...credentials(bridge),
    protocolVersion: 5,
    clientId: `${bridge.clientId}-downlink`,
    clean: true,
    keepalive: bridge.keepaliveSeconds,
    reconnectPeriod: 1000,
    connectTimeout: 30_000,
  };
}

/** The twin outputs' connection: like the downlink's, under its own client id. */
export function twinOutputsMqttOptions(bridge: BridgeConfig): IClientOptions {
  return { ...downlinkMqttOptions(bridge), clientId: `${bridge.clientId}-twin` };
}
