import { connectAsync, type MqttClient } from 'mqtt';
import { playOverMqtt } from '../../scripts/simulator/scenario-mqtt';
import {
  ABNORMAL_SCENARIOS,
  EXPECTED_ALERT,
  scenarioMessages,
  type ScenarioMessage,
} from '../../scripts/simulator/scenarios';
import { DATASET_COLUMNS } from '../../api/datasets/behaviour-rows';
import { testEnv } from '../support/env';
import { testKafka } from '../support/kafka';
import { httpRequest } from '../support/http-client';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * Every abnormal behaviour scenario through real MQTT (Mosquitto), the bridge, real Kafka and the
 * service: one device per scenario plays its normal warm-up and its labelled episode in real time
 * (windows of one second), and its alert comes back on twin/{id}/alert. Labels: carried from the
 * simulator's client id, dropped from a device's own.
 */
jest.setTimeout(90_000);

const W = 1000;

describe('network behaviour end to end', () => {
  let d: Deployment;
  let service: ServiceInstance;
  let sim: MqttClient;
  let real: MqttClient;
  let app: MqttClient;
  let simId: string;
  const alerts: { device: string; type: string; kind: string }[] = [];
  /** Set by the first test: when its scenarios began, and their device ids by scenario. */
  let played: { startMs: number; device: Record<string, string>; labelled: string } | undefined;

  beforeAll(async () => {
    d = deployment('behaviour', { BEHAVIOUR: 'on', BEHAVIOUR_WINDOW: `${W}ms` });
    const base = d.prefix.replace(/[^A-Za-z0-9]/g, '');
    simId = `${base}-sim`;
    service = await startService(d);
    const bridge = d.processes.spawn(
      'bridge/main.js',
      { ...d.env, BRIDGE_HTTP_PORT: '0', LABEL_CLIENT_IDS: simId },
      'bridge',
    );
    await bridge.waitForLine(/"bridge running"/);
    const { mqttUrl } = testEnv();
    const v5 = { protocolVersion: 5 as const, reconnectPeriod: 0 };
    app = await connectAsync(mqttUrl, { ...v5, clientId: `${base}-app` });
    sim = await connectAsync(mqttUrl, { ...v5, clientId: simId });
    real = await connectAsync(mqttUrl, { ...v5, clientId: `${base}-real` });
    app.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString('utf8')) as { type?: string; data?: { type?: string } };
      const device = topic.split('/')[1] ?? '';
      if (device.startsWith(base))
        alerts.push({ device, type: body.data?.type ?? '', kind: body.type ?? '' });
    });
    await app.subscribeAsync('twin/+/alert', { qos: 1 });
  });

  afterAll(async () => {
    await Promise.all([app, sim, real].map((c) => c?.endAsync(true).catch(() => undefined)));
    await d?.cleanup();
  });

  it('raises the matching alert for every abnormal scenario, and carries only the simulator labels', async () => {
    const base = d.prefix.replace(/[^A-Za-z0-9]/g, '');
    const options = {
      seed: 11,
      devices: 1,
      durationMs: 13 * W,
      windowMs: W,
      warmupWindows: 7,
      episodeWindows: 3,
    };
    const messages: ScenarioMessage[] = [];
    const device: Record<string, string> = {};
    ABNORMAL_SCENARIOS.forEach((s, i) => {
      const own = scenarioMessages(s, { ...options, seed: 11 + i, idPrefix: `${base}-${i}-` });
      device[s] = own[0]!.deviceId;
      messages.push(...own);
    });
    // A real device sending the same labels under its own client id, the whole time.
    const forged = scenarioMessages('normal', { ...options, idPrefix: `${base}-real-` }).map((m) => ({
      ...m,
      label: 'beaconing' as const,
    }));
    // The same labelled traffic from the simulator's client id.
    const labelled = forged.map((m) => ({ ...m, deviceId: m.deviceId.replace('-real-', '-lab-') }));
    messages.push(...labelled);
    messages.sort((a, b) => a.at - b.at);
    const startMs = Math.ceil(Date.now() / W) * W + W;
    await Promise.all([
      playOverMqtt(sim, messages, startMs, simId),
      playOverMqtt(real, forged, startMs, `${base}-real`),
    ]);
    played = { startMs, device, labelled: labelled[0]!.deviceId };
    for (const s of ABNORMAL_SCENARIOS) {
      await waitFor(
        `${EXPECTED_ALERT[s]} for ${s}`,
        () =>
          alerts.some(
            (a) => a.device === device[s] && a.kind === 'alert.raised' && a.type === EXPECTED_ALERT[s],
          ),
        { timeoutMs: 15_000 },
      ).catch(async (err: unknown) => {
        const doc = await httpRequest(service.url, 'GET', `/api/v1/twins/${device[s]}`);
        const seen = JSON.stringify(alerts.filter((a) => a.device === device[s]));
        throw new Error(`${String(err)}; alerts ${seen}; twin: ${JSON.stringify(doc.body)}`);
      });
    }
    // Labels: the simulator's are carried through, the real device's are dropped.
    const twin = async (id: string) =>
      (await httpRequest(service.url, 'GET', `/api/v1/twins/${id}`)).body as {
        data: { behaviour?: { window: { label: string | null; messages: number } | null } };
      };
    const forgedId = forged[0]!.deviceId;
    const realTwin = await twin(forgedId);
    expect(realTwin.data.behaviour?.window?.messages).toBeGreaterThan(0);
    expect(realTwin.data.behaviour?.window?.label).toBeNull();
    expect(alerts.filter((a) => a.device === forgedId && a.kind === 'alert.raised')).toEqual([]);
    const simTwin = await twin(labelled[0]!.deviceId);
    expect(simTwin.data.behaviour?.window?.label).toBe('beaconing');
  });

  it('streams the dataset over REST: a row per device per window with its label, and refuses bad queries', async () => {
    if (played === undefined) throw new Error('the scenarios did not play');
    const { startMs, device } = played;
    const get = (query: string) => httpRequest(service.url, 'GET', `/api/v1/datasets/behaviour?${query}`);
    const jsonl = await get(`start=${startMs}&window=1s&format=jsonl`);
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const rows = jsonl.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const row of rows) expect(Object.keys(row)).toEqual(DATASET_COLUMNS);
    for (const s of ABNORMAL_SCENARIOS) {
      const own = rows.filter((r) => r.deviceId === device[s]);
      // 13 windows played; the last stays open. Every closed window is a row, some labelled.
      expect(own.length).toBeGreaterThanOrEqual(10);
      expect(new Set(own.map((r) => r.windowStart)).size).toBe(own.length);
      expect(own.some((r) => r.label === s)).toBe(true);
    }
    const csv = await get(`start=${new Date(startMs).toISOString()}&end=${startMs + 5 * W}`);
    expect(csv.status).toBe(200);
    const [header, ...lines] = csv.text.trim().split('\n');
    expect(header).toBe(DATASET_COLUMNS.join(','));
    // Only windows starting before `end`.
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(Number(line.split(',')[1])).toBeLessThan(startMs + 5 * W);
    for (const [query, field] of [
      ['format=csv', 'start'],
      [`start=${startMs}&format=xml`, 'format'],
      [`start=${startMs}&window=60s`, 'window'],
      [`start=${startMs}&end=${startMs}`, 'end'],
    ] as const) {
      const refused = await get(query);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: { code: 'VALIDATION_ERROR', details: { field } } });
    }
    // Each request read through a throwaway consumer group, deleted once the answer ended.
    const admin = testKafka('behaviour-groups').admin();
    await admin.connect();
    try {
      const left = (await admin.listGroups()).groups.filter((g) =>
        g.groupId.startsWith(`${d.prefix}app-dataset-`),
      );
      expect(left).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
