import { compileTopicTemplate } from '../../bridge/topic-template';
import {
  toUplinkRecord,
  uplinkRoutes,
  type UplinkRecord,
  type UplinkRoute,
} from '../../bridge/uplink-record';
import { DEFAULT_JSON_LIMITS } from '../../shared/safe-json';
import { topicNames } from '../../shared/topics';
import { mqttTopicOf, payloadBytes } from './message';
import type { ScenarioMessage } from './scenarios';

/** The MQTT client id scenario messages declare (the bridge's LABEL_CLIENT_IDS must list it). */
export const SCENARIO_CLIENT_ID = 'twinfold-scenario';

/** The payload a scenario message puts on the wire: its readings stamped with the device's clock. */
export function scenarioPayload(m: ScenarioMessage, startMs: number): Buffer {
  const timestamp = new Date(startMs + m.deviceAt).toISOString();
  if (typeof m.payload === 'string') return payloadBytes({ ...m, payload: m.payload });
  return payloadBytes({ ...m, payload: { timestamp, ...m.payload } });
}

/**
 * The Kafka record the bridge would write for a scenario message received at `startMs + at +
 * latency`: the
 * bridge's own conversion (bridge/uplink-record.ts), so the headers are the contract's. Message
 * ids are `<device>-<n>`, not UUIDs, so the records are the same on every run.
 */
const ROUTES = new Map<string, UplinkRoute[]>();

function routesFor(topicPrefix: string): UplinkRoute[] {
  let routes = ROUTES.get(topicPrefix);
  if (routes === undefined) ROUTES.set(topicPrefix, (routes = makeRoutes(topicPrefix)));
  return routes;
}

function makeRoutes(topicPrefix: string): UplinkRoute[] {
  return uplinkRoutes(
    {
      telemetry: compileTopicTemplate('device/{id}/telemetry'),
      state: compileTopicTemplate('device/{id}/state'),
      status: compileTopicTemplate('device/{id}/status'),
      ack: compileTopicTemplate('device/{id}/ack'),
      error: compileTopicTemplate('device/{id}/error'),
    },
    topicNames({ topicPrefix }),
  );
}

export function scenarioRecord(
  m: ScenarioMessage,
  startMs: number,
  n: number,
  topicPrefix: string,
): UplinkRecord {
  return toUplinkRecord(
    {
      topic: mqttTopicOf(m),
      payload: scenarioPayload(m, startMs),
      qos: m.qos,
      retain: m.retain,
      receivedAt: startMs + m.at + m.latency,
      messageId: `${m.deviceId}-${n}`,
      dup: false,
      clientId: SCENARIO_CLIENT_ID,
      ...(m.label === null ? {} : { label: m.label }),
    },
    routesFor(topicPrefix),
    topicNames({ topicPrefix }).dlq,
    DEFAULT_JSON_LIMITS,
  );
}
