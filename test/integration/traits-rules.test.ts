import { connectAsync, type MqttClient } from 'mqtt';
import {
  DETECTING,
  GRACE_MS,
  simulateReadings,
  simulatorProfiles,
  type SimulatedSeries,
} from '../../bench/traits-detection';
import type { AnomalyKind } from '../../scripts/simulator/channel';
import { seededRandom } from '../../scripts/simulator/random';
import type { DeviceProfile } from '../../topology/traits';
import { DEFAULT_FOLD_CONFIG, foldTwin, type TwinState } from '../../topology/twin';
import { testEnv } from '../support/env';
import { httpRequest } from '../support/http-client';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * Traits, alerts and rules with every hop real: devices over Mosquitto -> the bridge -> Kafka ->
 * the service (traits and rules in the fold) -> device.events / device.twins / device.downlink ->
 * the bridge -> twin/{id}/alert|event|update and device/{id}/command over MQTT, and the REST views.
 */
jest.setTimeout(120_000);

interface Message {
  topic: string;
  payload: Record<string, unknown>;
}

const TYPE = 'humidity_sensor';
const MIN = 60_000;

describe('traits, alerts and rules end to end', () => {
  let d: Deployment;
  let service: ServiceInstance;
  let device: MqttClient;
  let app: MqttClient;
  const received: Message[] = [];
  let ids: { hum: string; spike: string; stuck: string; drift: string };

  const api = (method: string, path: string, body?: unknown) =>
    httpRequest(service.url, method, `/api/v1${path}`, body === undefined ? {} : { body });
  const data = <T>(answer: { body: unknown }): T => (answer.body as { data: T }).data;

  /** Readings one minute apart in the device's own time, the last one a minute ago. */
  async function publishSeries(id: string, field: string, values: number[]): Promise<void> {
    const start = Date.now() - (values.length + 1) * MIN;
    for (const [i, v] of values.entries()) {
      const payload = { timestamp: new Date(start + i * MIN).toISOString(), data: { [field]: v } };
      await device.publishAsync(`device/${id}/telemetry`, JSON.stringify(payload), { qos: 1 });
    }
  }

  beforeAll(async () => {
    d = deployment('traits');
    service = await startService(d);
    const bridge = d.processes.spawn('bridge/main.js', { ...d.env, BRIDGE_HTTP_PORT: '0' }, 'bridge');
    await bridge.waitForLine(/"bridge running"/);
    const base = d.prefix.replace(/[^A-Za-z0-9]/g, '');
    ids = { hum: `${base}-hum`, spike: `${base}-spike`, stuck: `${base}-stuck`, drift: `${base}-drift` };
    const { mqttUrl } = testEnv();
    app = await connectAsync(mqttUrl, { protocolVersion: 5, clientId: `${base}-app`, reconnectPeriod: 0 });
    device = await connectAsync(mqttUrl, { protocolVersion: 5, clientId: `${base}-dev`, reconnectPeriod: 0 });
    const mine = new Set(Object.values(ids));
    for (const client of [app, device])
      client.on('message', (topic, payload) => {
        if (mine.has(topic.split('/')[1] ?? ''))
          received.push({ topic, payload: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
      });
    await app.subscribeAsync(['twin/+/alert', 'twin/+/event', 'twin/+/update'], { qos: 1 });
    await device.subscribeAsync(`device/${ids.hum}/command`, { qos: 1 });
  });

  afterAll(async () => {
    await Promise.all([app, device].map((c) => c?.endAsync(true).catch(() => undefined)));
    await d?.cleanup();
  });

  it('refuses an invalid profile or rule with 400 naming the field', async () => {
    const profile = await api('PUT', `/types/${TYPE}/profile`, { spikeK: -1, windows: { driftMs: 'x' } });
    expect(profile.status).toBe(400);
    expect(profile.text).toMatch(/VALIDATION_ERROR.*spikeK.*windows\.driftMs/);
    const rule = await api('POST', '/rules', {
      id: 'bad',
      type: TYPE,
      when: { all: [{ path: 'reported.humidity', op: 'matches', value: 1 }] },
      command: { action: 'dehumidifier_on' },
    });
    expect(rule.status).toBe(400);
    expect(rule.text).toMatch(/VALIDATION_ERROR.*when\.all\[0\]\.op/);
    expect((await api('GET', '/rules/bad')).status).toBe(404);
  });

  it('raises SPIKE, STUCK and DRIFT alerts on twin/{id}/alert over MQTT', async () => {
    const calm = Array.from({ length: 16 }, (_, i) => 20 + (i % 2) * 0.1);
    await publishSeries(ids.spike, 'temperature', [...calm, 35]);
    await publishSeries(
      ids.stuck,
      'temperature',
      Array.from({ length: 12 }, () => 42),
    );
    await publishSeries(
      ids.drift,
      'temperature',
      Array.from({ length: 12 }, (_, i) => 20 + 0.5 * i),
    );
    const raised = (id: string, type: string) =>
      received.find(
        (m) =>
          m.topic === `twin/${id}/alert` &&
          m.payload.type === 'alert.raised' &&
          (m.payload.data as { type?: string }).type === type,
      );
    for (const [id, type] of [
      [ids.spike, 'SPIKE'],
      [ids.stuck, 'STUCK'],
      [ids.drift, 'DRIFT'],
    ] as const)
      await waitFor(`${type} raised on twin/${id}/alert`, () => raised(id, type), { timeoutMs: 30_000 });
    // Only the matching anomaly: the calm and the stuck series never spike.
    expect(raised(ids.stuck, 'SPIKE')).toBeUndefined();
    expect(raised(ids.drift, 'STUCK')).toBeUndefined();

    // The same alerts over REST: open alerts of the fleet, the alert= filter, traits, health.
    const alerts = data<{ alerts: { twinId: string; type: string }[] }>(
      await api('GET', '/alerts?active=true'),
    );
    expect(alerts.alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ twinId: ids.spike, type: 'SPIKE' }),
        expect.objectContaining({ twinId: ids.stuck, type: 'STUCK' }),
        expect.objectContaining({ twinId: ids.drift, type: 'DRIFT' }),
      ]),
    );
    const stuckList = data<{ twins: { id: string }[] }>(await api('GET', '/twins?alert=STUCK'));
    expect(stuckList.twins.map((t) => t.id)).toEqual([ids.stuck]);
    const traits = data<{ traits: { fields: Record<string, { drift: { status: string } }> } }>(
      await api('GET', `/twins/${ids.drift}/traits`),
    );
    expect(traits.traits.fields.temperature?.drift.status).toBe('DRIFTING');
    const health = data<{ total: number; worst: { id: string }[] }>(await api('GET', '/health?worst=3'));
    expect(health.total).toBe(3);
    expect(health.worst).toHaveLength(3);
    const compare = data<{ ranking: { id: string }[]; missing: { id: string }[] }>(
      await api('GET', `/compare?ids=${ids.stuck},${ids.drift},nobody&field=temperature`),
    );
    expect(compare.ranking.map((r) => r.id)).toEqual([ids.stuck, ids.drift]);
    expect(compare.missing).toEqual([{ id: 'nobody', reason: 'twin' }]);
    // Each reading changed the twin: its update names the field and the version. Updates come from
    // device.twins, alerts from device.events: two topics the bridge publishes in no common order.
    const update = await waitFor('an update on twin/{id}/update', () =>
      received.find((m) => m.topic === `twin/${ids.drift}/update`),
    );
    expect(update.payload).toMatchObject({
      id: ids.drift,
      version: expect.any(Number),
      reported: { temperature: expect.any(Number) },
    });
  });

  it("raises the simulator's spike, stuck and drift anomalies on twin/{id}/alert, as the fold does", async () => {
    // The simulator's own channels (seeded random walks that inject spikes, stuck runs and drifts
    // and label them), one reading a minute in the device's time, through MQTT, the bridge and
    // the service. Expected: exactly the field alerts the pure fold raises on the same readings,
    // and among them at least one detection of every injected kind (the bench measures recall).
    const type = 'temperature_sensor';
    const profile = simulatorProfiles(MIN).get(type)!;
    expect((await api('PUT', `/types/${type}/profile`, profile)).status).toBe(200);
    const t0 = Date.now() - 101 * MIN;
    const devices = ['a', 'b', 'c'].map((s) => `${ids.hum}-sim-${s}`);
    const { seed, fleet, expected } = simulatedFleet(devices, type, t0, profile);
    const base = d.prefix.replace(/[^A-Za-z0-9]/g, '');
    const watch = new Set(devices);
    const alerts: FieldAlert[] = [];
    const listener = (topic: string, payload: Buffer) => {
      const [, id, kind] = topic.split('/');
      const event = JSON.parse(payload.toString('utf8')) as { type: string; data: Record<string, unknown> };
      if (kind === 'alert' && watch.has(id ?? '') && event.type === 'alert.raised')
        alerts.push({ id: id!, type: String(event.data.type), field: event.data.field, at: event.data.at });
    };
    app.on('message', listener);
    const sim = await connectAsync(testEnv().mqttUrl, {
      protocolVersion: 5,
      clientId: `${base}-sim`,
      reconnectPeriod: 0,
    });
    try {
      // Registered first (device.registry and device.telemetry are two topics, folded in no common
      // order), so every reading folds with the type's profile.
      for (const id of devices) expect((await api('POST', '/twins', { id, type })).status).toBe(202);
      for (const id of devices)
        await waitFor(`twin ${id}`, async () => (await api('GET', `/twins/${id}`)).status === 200);
      // All in flight at once: one client's QoS 1 messages keep their order through the broker.
      await Promise.all(
        [...fleet].flatMap(([id, series]) =>
          series.readings.map(({ t, values }) => {
            const payload = { timestamp: new Date(t).toISOString(), data: values };
            return sim.publishAsync(`device/${id}/telemetry`, JSON.stringify(payload), { qos: 1 });
          }),
        ),
      );
      const key = (a: FieldAlert) => `${a.id} ${String(a.field)} ${a.type} ${String(a.at)}`;
      const fieldAlert = (a: { type: string }) => Object.values(DETECTING).flat().includes(a.type);
      await waitFor(`${expected.length} field alerts (seed ${seed})`, () =>
        alerts.filter(fieldAlert).length >= expected.length ? true : undefined,
      );
      expect(alerts.filter(fieldAlert).map(key).sort()).toEqual(expected.map(key).sort());
    } finally {
      app.off('message', listener);
      await sim.endAsync(true);
    }
  });

  it('fires a rule once, delivers its command to the device over MQTT, and shows the ack on the firing', async () => {
    const profile = await api('PUT', `/types/${TYPE}/profile`, {
      fields: { humidity: { thresholds: { max: 75 } } },
    });
    expect(profile.status).toBe(200);
    const rule = await api('POST', '/rules', {
      id: 'dehumidify',
      type: TYPE,
      when: {
        all: [
          { path: 'traits.fields.humidity.trend', op: 'eq', value: 'RISING' },
          { path: 'traits.fields.humidity.forecast.thresholds.0.inMinutes', op: 'lte', value: 5 },
        ],
      },
      command: { action: 'dehumidifier_on', parameters: { level: 2 } },
      cooldownSeconds: 3600,
    });
    expect(rule.status).toBe(201);
    expect((await api('POST', '/twins', { id: ids.hum, type: TYPE })).status).toBe(202);
    await device.publishAsync(`device/${ids.hum}/status`, 'online', { qos: 1 });
    await waitFor('the humidity twin online', async () => {
      const twin = await api('GET', `/twins/${ids.hum}`);
      return (
        twin.status === 200 && data<{ connection: { status: string } }>(twin).connection.status === 'online'
      );
    });
    await publishSeries(
      ids.hum,
      'humidity',
      Array.from({ length: 12 }, (_, i) => 68 + 0.5 * i),
    );

    const command = await waitFor('the rule command at the device', () =>
      received.find((m) => m.topic === `device/${ids.hum}/command`),
    );
    expect(command.payload).toMatchObject({ action: 'dehumidifier_on', parameters: { level: 2 } });
    const commandId = String(command.payload.command_id);
    await device.publishAsync(
      `device/${ids.hum}/ack`,
      JSON.stringify({ command_id: commandId, status: 'success' }),
      { qos: 1 },
    );
    const firings = await waitFor('the firing acknowledged', async () => {
      const list = data<{ firings: { commandId: string; command: { status: string } | null }[] }>(
        await api('GET', '/rules/dehumidify/firings'),
      );
      return list.firings[0]?.command?.status === 'acknowledged' ? list.firings : undefined;
    });
    expect(firings).toEqual([expect.objectContaining({ twinId: ids.hum, ruleId: 'dehumidify', commandId })]);
    expect(received.filter((m) => m.topic === `device/${ids.hum}/command`)).toHaveLength(1);
    // twin/{id}/event trails the REST view (the bridge publishes it from device.events on its own).
    const wanted = ['twin.created', 'connected', 'rule.fired', 'command.status'];
    const eventTypes = () =>
      new Set(received.filter((m) => m.topic === `twin/${ids.hum}/event`).map((m) => m.payload.type));
    await waitFor(`${wanted.join(', ')} on twin/{id}/event`, () => wanted.every((t) => eventTypes().has(t)));
    const commandView = data<{ origin: string }>(await api('GET', `/twins/${ids.hum}/commands/${commandId}`));
    expect(commandView.origin).toBe('rule:dehumidify');
  });
});

interface FieldAlert {
  id: string;
  type: string;
  field: unknown;
  at: unknown;
}

/** The field alerts the pure fold raises for `series` (what the pipeline must publish). */
function referenceAlerts(
  id: string,
  type: string,
  series: SimulatedSeries,
  profile: DeviceProfile,
): FieldAlert[] {
  const config = { ...DEFAULT_FOLD_CONFIG, traits: true, profileFor: () => profile };
  const t0 = series.readings[0]!.t;
  let state: TwinState | undefined =
    foldTwin(
      undefined,
      { kind: 'registry', op: 'create', deviceId: id, timestampMs: t0, type },
      { nowMs: t0, config },
    ).state ?? undefined;
  const out: FieldAlert[] = [];
  for (const { t, values } of series.readings) {
    const result = foldTwin(
      state,
      { kind: 'telemetry', deviceId: id, timestampMs: t, readings: values },
      { nowMs: t, config },
    );
    if (result.state) state = result.state;
    for (const e of result.events)
      if (e.type === 'alert.raised' && Object.values(DETECTING).flat().includes(String(e.data.type)))
        out.push({ id, type: String(e.data.type), field: e.data.field, at: e.data.at });
  }
  return out;
}

/**
 * The first seed whose simulated fleet (100 readings per device) injects every anomaly kind and
 * whose reference fold detects each kind at least once: a fixed, replayable input for the test.
 */
function simulatedFleet(
  devices: string[],
  type: string,
  t0: number,
  profile: DeviceProfile,
): { seed: number; fleet: Map<string, SimulatedSeries>; expected: FieldAlert[] } {
  for (let seed = 1; seed < 500; seed++) {
    const random = seededRandom(seed);
    const fleet = new Map(
      devices.map((id) => [
        id,
        simulateReadings({ device: id, type, steps: 100, everyMs: MIN, t0 }, random, {
          anomalyRate: 0.01,
          scored: () => true,
        }),
      ]),
    );
    const detected = new Set<AnomalyKind>();
    const expected: FieldAlert[] = [];
    for (const [id, series] of fleet) {
      const raised = referenceAlerts(id, type, series, profile);
      expected.push(...raised);
      for (const e of series.episodes)
        if (
          raised.some(
            (a) =>
              a.field === e.field &&
              DETECTING[e.kind].includes(a.type) &&
              Date.parse(String(a.at)) >= e.start &&
              Date.parse(String(a.at)) <= e.end + GRACE_MS,
          )
        )
          detected.add(e.kind);
    }
    if (detected.size === Object.keys(DETECTING).length) return { seed, fleet, expected };
  }
  throw new Error('no seed below 500 injects and detects every anomaly kind');
}
