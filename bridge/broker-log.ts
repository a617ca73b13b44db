import type { MqttClient } from 'mqtt';
import type { Logger } from '../shared/logger';
import type { BridgeMetrics } from './metrics';

/**
 * Mosquitto's own log, which it publishes on `$SYS/broker/log/<level>` when its configuration has
 * `log_dest topic` (off by default; deploy/mosquitto/mosquitto.conf turns it on for notices). It is
 * the only place Mosquitto tells about refused connections: a refused client is logged as
 * `Client <unknown> disconnected, not authorised.`, without its client id or user name, so refusals
 * are counted broker-wide, never per device.
 */
export const BROKER_LOG_TOPIC = '$SYS/broker/log/N';

export type BrokerLogEvent =
  | { kind: 'connect'; clientId: string; username?: string }
  | { kind: 'disconnect'; clientId: string; reason: string }
  | { kind: 'refused'; reason: string };

const CONNECT = /New client connected from \S+ as (\S+) \([^)]*?(?:u'([^']*)')?\)\.?$/;
const REFUSED = /Client <unknown> disconnected, (.+?)\.?$/;
const DISCONNECT = /Client (\S+) (disconnected|closed its connection)(?:, ([^.]+))?\./;
const SOCKET_ERROR = /Socket error on client (\S+), disconnecting\./;
const TIMEOUT = /Client (\S+) has exceeded timeout, disconnecting\./;

/** One log line (`<epoch seconds>: <text>`) as a connection event, or undefined for other lines. */
export function parseBrokerLog(line: string): BrokerLogEvent | undefined {
  const text = line.replace(/^\d+: /, '').trim();
  let m = REFUSED.exec(text);
  if (m) return { kind: 'refused', reason: m[1]! };
  m = CONNECT.exec(text);
  if (m)
    return m[2] === undefined
      ? { kind: 'connect', clientId: m[1]! }
      : { kind: 'connect', clientId: m[1]!, username: m[2] };
  m = SOCKET_ERROR.exec(text);
  if (m) return { kind: 'disconnect', clientId: m[1]!, reason: 'socket error' };
  m = TIMEOUT.exec(text);
  if (m) return { kind: 'disconnect', clientId: m[1]!, reason: 'keepalive timeout' };
  m = DISCONNECT.exec(text);
  if (m)
    return {
      kind: 'disconnect',
      clientId: m[1]!,
      reason: m[3] ?? (m[2] === 'disconnected' ? 'disconnected' : 'closed'),
    };
  return undefined;
}

/** Counts refused connections from the broker's log; returns a function that stops the watch. */
export function watchBrokerLog(client: MqttClient, metrics: BridgeMetrics, logger: Logger): () => void {
  const log = logger.child('broker-log');
  const onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== BROKER_LOG_TOPIC) return;
    const event = parseBrokerLog(payload.toString('utf8'));
    if (event === undefined) return;
    if (event.kind === 'refused') metrics.brokerRefusedConnections.inc();
    log.debug('broker connection event', { ...event });
  };
  client.on('message', onMessage);
  client
    .subscribeAsync(BROKER_LOG_TOPIC, { qos: 0 })
    .catch((err: unknown) => log.warn('could not subscribe to the broker log', { error: err }));
  return () => client.removeListener('message', onMessage);
}
