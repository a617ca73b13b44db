import type { MqttClient } from 'mqtt';
import { CLIENT_ID_PROPERTY, LABEL_PROPERTY } from '../../shared/inputs';
import { mqttTopicOf } from './message';
import { scenarioPayload } from './scenario-records';
import type { ScenarioMessage } from './scenarios';

/** The MQTT topic where an MQTT 3.1.1 simulator announces its labels (no user properties there). */
export const LABELS_TOPIC = 'sim.labels';

/**
 * Plays scenario messages over MQTT in real time from `startMs` (simulated time = wall time, so
 * shape the scenario's window to the bridge's), on one connection that speaks for every device.
 * Over MQTT 5 each labelled message carries the user properties `twinfold-label` and
 * `twinfold-client-id`; over 3.1.1 each episode's label is published once on `sim.labels` as
 * `{"device_id", "label", "from"}` (epoch ms), a side channel for joining labels offline.
 */
export async function playOverMqtt(
  client: MqttClient,
  messages: readonly ScenarioMessage[],
  startMs: number,
  clientId: string,
  root = 'device',
): Promise<void> {
  const v5 = client.options.protocolVersion === 5;
  const announced = new Set<string>();
  const pending: Promise<unknown>[] = [];
  for (const m of messages) {
    const wait = startMs + m.at - Date.now();
    if (wait > 2) await new Promise((r) => setTimeout(r, wait));
    const properties =
      v5 && m.label !== null
        ? { userProperties: { [LABEL_PROPERTY]: m.label, [CLIENT_ID_PROPERTY]: clientId } }
        : undefined;
    if (!v5 && m.label !== null && !announced.has(m.deviceId)) {
      announced.add(m.deviceId);
      const side = JSON.stringify({ device_id: m.deviceId, label: m.label, from: startMs + m.at });
      pending.push(client.publishAsync(LABELS_TOPIC, side, { qos: 1 }));
    }
    pending.push(
      client.publishAsync(mqttTopicOf(m, root), scenarioPayload(m, startMs), {
        qos: m.qos,
        retain: m.retain,
        ...(properties === undefined ? {} : { properties }),
      }),
    );
  }
  await Promise.all(pending);
}
