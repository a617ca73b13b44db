import type { MqttClient } from 'mqtt';
import type { Logger } from '../shared/logger';
import type { BridgeMetrics } from './metrics';

/**
 * Mosquitto 2.0's counters (published every `sys_interval` under $SYS) that tell whether the broker
 * kept its half of the guarantee: messages it dropped (a full client queue: max_queued_messages /
 * max_queued_bytes) and the messages and bytes it holds.
 */
export const BROKER_COUNTERS = {
  dropped: '$SYS/broker/publish/messages/dropped',
  storedMessages: '$SYS/broker/store/messages/count',
  storedBytes: '$SYS/broker/store/messages/bytes',
} as const;

/** How long the bridge waits for a first dropped-messages counter before warning that it sees none. */
const FIRST_COUNTER_WITHIN_MS = 30_000;

/**
 * Turns successive values of the broker's dropped-messages counter into drops to report: the
 * first value when above 0 (drops since the broker started, e.g. while the bridge was away), then
 * every increase; a smaller value means the broker restarted, and counts from zero again.
 */
export class DropCounter {
  private last: number | undefined;

  /** The messages dropped since the previous value, or 0. */
  observe(value: number): number {
    const previous = this.last;
    this.last = value;
    if (previous === undefined || value < previous) return value;
    return value - previous;
  }
}

/**
 * Subscribes `client` to the broker counters, exports them as metrics and logs an error as soon as
 * the broker reports a dropped message. Returns a function that stops the watch.
 */
export function watchBrokerCounters(client: MqttClient, metrics: BridgeMetrics, logger: Logger): () => void {
  const log = logger.child('broker-counters');
  const drops = new DropCounter();
  let seen = false;
  const onMessage = (topic: string, payload: Buffer): void => {
    const value = Number(payload.toString('utf8').trim());
    if (!Number.isFinite(value)) return;
    if (topic === BROKER_COUNTERS.storedMessages) metrics.brokerStoredMessages.set(value);
    else if (topic === BROKER_COUNTERS.storedBytes) metrics.brokerStoredBytes.set(value);
    else if (topic === BROKER_COUNTERS.dropped) {
      if (!seen) log.info('reading the MQTT broker counters', { droppedSinceBrokerStart: value });
      seen = true;
      metrics.brokerDroppedMessages.set(value);
      const dropped = drops.observe(value);
      if (dropped > 0)
        log.error('the MQTT broker dropped messages it had acknowledged to their publishers', {
          dropped,
          droppedSinceBrokerStart: value,
          hint: 'a client queue was full: raise max_queued_messages / max_queued_bytes (deploy/mosquitto/mosquitto.conf); the broker log names the client',
        });
    }
  };
  client.on('message', onMessage);
  client
    .subscribeAsync(Object.values(BROKER_COUNTERS), { qos: 0 })
    .then((granted) => {
      const refused = granted.filter((g) => g.qos >= 0x80).map((g) => g.topic);
      if (refused.length > 0)
        log.warn('the MQTT broker refused the $SYS subscriptions: drops at the broker go unnoticed', {
          refused,
        });
    })
    .catch((err: unknown) => log.warn('could not subscribe to the broker counters', { error: err }));
  const timer = setTimeout(() => {
    if (!seen)
      log.warn(
        `no ${BROKER_COUNTERS.dropped} from the MQTT broker within ${FIRST_COUNTER_WITHIN_MS / 1000} s: ` +
          'drops at the broker go unnoticed (Mosquitto publishes it every sys_interval; the ACL must let the bridge read $SYS/broker/#)',
      );
  }, FIRST_COUNTER_WITHIN_MS);
  timer.unref();
  return () => {
    clearTimeout(timer);
    client.removeListener('message', onMessage);
  };
}
