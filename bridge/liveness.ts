import type { MqttClient } from 'mqtt';
import type { Logger } from '../shared/logger';
import { BRIDGE_OFFLINE, BRIDGE_ONLINE } from './mqtt-options';

/**
 * The bridge's own status, retained on `topic`: `online` after every (re)connect of the uplink
 * connection, `offline` from its last will when it drops, and `offline` on a graceful stop (a
 * normal DISCONNECT discards the will). Returns a function that stops announcing.
 */
export function announceOnline(client: MqttClient, topic: string, logger: Logger): () => void {
  const onConnect = (): void => {
    client.publish(topic, BRIDGE_ONLINE, { qos: 1, retain: true }, (err) => {
      if (err) logger.warn('could not publish bridge status', { topic, error: err });
    });
  };
  client.on('connect', onConnect);
  if (client.connected) onConnect();
  return () => client.removeListener('connect', onConnect);
}

/** Publishes `offline` (retained, QoS 1) and waits for the PUBACK, at most `timeoutMs`. */
export async function announceOffline(client: MqttClient, topic: string, timeoutMs: number): Promise<void> {
  if (!client.connected) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.publishAsync(topic, BRIDGE_OFFLINE, { qos: 1, retain: true }),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]).finally(() => clearTimeout(timer));
}
