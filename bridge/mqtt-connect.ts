import type { IConnackPacket, MqttClient } from 'mqtt';
import { TwinfoldError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { BridgeMetrics } from './metrics';

/**
 * Starts connecting a client created with `manualConnect: true` and resolves on its first CONNACK.
 * mqtt.js keeps retrying in the background (reconnectPeriod); after `timeoutMs` without success
 * this rejects with UPSTREAM_ERROR naming the last error, and the client is ended.
 */
export async function connectClient(client: MqttClient, timeoutMs: number): Promise<IConnackPacket> {
  let lastError: Error | undefined;
  const onError = (err: Error): void => {
    lastError = err;
  };
  client.on('error', onError);
  try {
    return await new Promise<IConnackPacket>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.removeListener('connect', onConnect);
        client.end(true);
        const why = lastError ? `: ${lastError.message}` : '';
        reject(
          new TwinfoldError('UPSTREAM_ERROR', `MQTT connect timed out after ${timeoutMs} ms${why}`, {
            retriable: true,
          }),
        );
      }, timeoutMs);
      const onConnect = (connack: IConnackPacket): void => {
        clearTimeout(timer);
        resolve(connack);
      };
      client.once('connect', onConnect);
      client.connect();
    });
  } finally {
    client.removeListener('error', onError);
  }
}

/** Logs a client's connection changes and counts its reconnects. */
export function observeConnection(
  client: MqttClient,
  name: 'uplink' | 'downlink' | 'twin',
  logger: Logger,
  metrics: Pick<BridgeMetrics, 'reconnects'>,
): void {
  const log = logger.child(`mqtt-${name}`, { clientId: client.options.clientId });
  client.on('reconnect', () => {
    metrics.reconnects.inc({ connection: name });
    log.info('reconnecting');
  });
  client.on('connect', (connack) => log.info('connected', { sessionPresent: connack.sessionPresent }));
  client.on('offline', () => log.warn('disconnected'));
  client.on('disconnect', (packet) => log.warn('broker sent DISCONNECT', { reasonCode: packet.reasonCode }));
  client.on('error', (err) => log.warn('MQTT error', { error: err }));
}

/** Disconnects cleanly (waiting for outgoing acknowledgements), forcibly after `timeoutMs`. */
export async function endClient(client: MqttClient | undefined, timeoutMs = 5000): Promise<void> {
  if (!client) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    client.endAsync().then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
  if (timedOut) await client.endAsync(true);
}
