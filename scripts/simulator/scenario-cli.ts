import { connectAsync } from 'mqtt';
import type { CliOptions } from './options';
import { playOverMqtt } from './scenario-mqtt';
import { scenarioMessages, SCENARIOS, type ScenarioName } from './scenarios';

function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

/**
 * `--scenario NAME`: plays the named, seeded behaviour scenario in real time over one MQTT 5
 * connection whose client id (`--client-id`) the bridge's LABEL_CLIENT_IDS must list for the
 * labels to be kept. Windows start on a multiple of `--window` after the next one begins; the
 * scenario lasts `--duration` seconds (0: 20 windows). Resolves with the messages sent.
 */
export async function playScenario(options: CliOptions): Promise<{ messages: number; labelled: number }> {
  if (!isScenario(options.scenario)) throw new Error(`unknown scenario ${options.scenario}`);
  const windowMs = Math.round(options.windowSeconds * 1000);
  const durationMs = options.durationSeconds > 0 ? options.durationSeconds * 1000 : 20 * windowMs;
  const messages = scenarioMessages(options.scenario, {
    seed: options.seed,
    devices: options.devices,
    durationMs,
    windowMs,
    idPrefix: options.idPrefix,
  });
  const client = await connectAsync(options.mqttUrl, {
    protocolVersion: 5,
    clientId: options.clientId,
    reconnectPeriod: 1000,
    ...(options.mqttUsername === undefined ? {} : { username: options.mqttUsername }),
    ...(options.mqttPassword === undefined ? {} : { password: options.mqttPassword }),
  });
  try {
    const startMs = (Math.floor(Date.now() / windowMs) + 1) * windowMs;
    await playOverMqtt(client, messages, startMs, options.clientId, options.mqttRoot);
  } finally {
    await client.endAsync();
  }
  return { messages: messages.length, labelled: messages.filter((m) => m.label !== null).length };
}
