import { consumeUntil, createTopics, produce } from '../support/kafka';
import { httpRequest } from '../support/http-client';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * The Eclipse Hono adapter against real Kafka and a real service: records produced exactly as
 * Hono's Kafka API describes them (topic per tenant, key = device id, string headers) become twins;
 * Hono's notifications move the connection; a command goes out on hono.command.<tenant> with
 * Hono's headers and its response on hono.command_response.<tenant> acknowledges it.
 */
jest.setTimeout(60_000);

const TENANT = 'acme';
const DEVICE = 'dev-1';
const TWIN = `${TENANT}:${DEVICE}`;

interface Twin {
  reported: Record<string, unknown>;
  metadata: { reported: Record<string, { timestamp: string }> };
  connection: { status: string };
}

describe('Eclipse Hono adapter', () => {
  let d: Deployment;
  let service: ServiceInstance;
  let topic: (channel: string) => string;

  const api = (method: string, path: string, body?: unknown) =>
    httpRequest(service.url, method, `/api/v1${path}`, body === undefined ? {} : { body });
  const twin = async (): Promise<Twin | undefined> => {
    const answer = await api('GET', `/twins/${encodeURIComponent(TWIN)}`);
    return answer.status === 200 ? (answer.body as { data: Twin }).data : undefined;
  };
  const connection = (status: string) =>
    waitFor(`${TWIN} ${status}`, async () => (await twin())?.connection.status === status, {
      timeoutMs: 15_000,
    });
  /** Hono's headers: all UTF-8 strings. */
  const hono = (headers: Record<string, string>) => ({
    device_id: DEVICE,
    'creation-time': String(Date.now()),
    qos: '1',
    ...headers,
  });

  beforeAll(async () => {
    d = deployment('hono', { COMMAND_MAX_RETRIES: '0' });
    const prefix = `${d.prefix}hono.`;
    topic = (channel) => `${prefix}${channel}.${TENANT}`;
    // Hono creates its tenant topics; here the test stands in for it.
    await createTopics(['telemetry', 'event', 'command', 'command_response'].map(topic), 2);
    service = await startService(d);
    const adapter = d.processes.spawn(
      'adapters/hono/main.js',
      { ...d.env, HONO_TENANTS: TENANT, HONO_TOPIC_PREFIX: prefix, HONO_HTTP_PORT: '0' },
      'hono',
    );
    await adapter.waitForLine(/"hono adapter running"/);
  });

  afterAll(async () => {
    await d?.cleanup();
  });

  it('makes twins of telemetry and dead-letters what it cannot read, with its bytes and reason', async () => {
    const created = Date.now() - 2000;
    await produce(topic('telemetry'), [
      {
        key: DEVICE,
        value: '{"temperature": 21.5, "humidity": 40}',
        headers: hono({ 'content-type': 'application/json', 'creation-time': String(created) }),
      },
      {
        key: DEVICE,
        value: Buffer.from([0xca, 0xfe]),
        headers: hono({ 'content-type': 'application/octet-stream' }),
      },
      {
        key: 'dev-2',
        value: '{"temperature": 1}',
        headers: hono({ 'content-type': 'application/json', device_id: '' }),
      },
    ]);
    const folded = await waitFor('the twin of the Hono device', async () => {
      const t = await twin();
      return t?.reported.temperature === 21.5 ? t : undefined;
    });
    expect(folded.reported).toEqual({ temperature: 21.5, humidity: 40 });
    // Timed by Hono's creation-time, not by when the adapter wrote it.
    expect(folded.metadata.reported.temperature!.timestamp).toBe(new Date(created).toISOString());

    const letters = await consumeUntil([`${d.prefix}device.dlq`], (rs) => rs.length >= 2, {
      timeoutMs: 15_000,
    });
    const byCode = new Map(letters.map((r) => [r.headers['twinfold.error.code'], r]));
    const media = byCode.get('UNSUPPORTED_MEDIA_TYPE')!;
    expect(media.value).toEqual(Buffer.from([0xca, 0xfe]));
    expect(media.headers).toMatchObject({
      'twinfold.component': 'hono-adapter',
      'twinfold.source.topic': topic('telemetry'),
      'content-type': 'application/octet-stream',
      device_id: DEVICE,
    });
    expect(byCode.get('INVALID_ID')?.key).toBe('dev-2');
  });

  it('follows connection notifications and delivers a command round trip through Hono topics', async () => {
    await produce(topic('event'), [
      {
        key: DEVICE,
        value: null,
        headers: hono({ 'content-type': 'application/vnd.eclipse-hono-empty-notification', ttd: '0' }),
      },
    ]);
    await connection('offline');

    // Queued while the device cannot take commands, delivered once Hono says it can (ttd -1).
    const queued = await api('POST', `/twins/${encodeURIComponent(TWIN)}/command`, {
      action: 'set_brightness',
      parameters: { brightness: 75 },
    });
    expect(queued.status).toBe(202);
    const commandId = (queued.body as { data: { command_id: string } }).data.command_id;
    await produce(topic('event'), [
      {
        key: DEVICE,
        value: null,
        headers: hono({ 'content-type': 'application/vnd.eclipse-hono-empty-notification', ttd: '-1' }),
      },
    ]);
    await connection('online');

    const sent = await consumeUntil(
      [topic('command')],
      (rs) => rs.some((r) => r.headers['correlation-id'] === commandId),
      {
        timeoutMs: 15_000,
      },
    );
    const command = sent.find((r) => r.headers['correlation-id'] === commandId)!;
    expect(command.key).toBe(DEVICE);
    expect(JSON.parse(String(command.value))).toEqual({ brightness: 75 });
    expect(command.headers).toMatchObject({
      device_id: DEVICE,
      subject: 'set_brightness',
      'response-required': 'true',
      'content-type': 'application/json',
    });

    await produce(topic('command_response'), [
      {
        key: DEVICE,
        value: '{"brightness": 75}',
        headers: {
          'correlation-id': commandId,
          device_id: DEVICE,
          tenant_id: TENANT,
          'creation-time': String(Date.now()),
          'content-type': 'application/json',
          status: '200',
        },
      },
    ]);
    const done = await waitFor('the command acknowledged', async () => {
      const answer = await api('GET', `/twins/${encodeURIComponent(TWIN)}/commands/${commandId}`);
      const c = (answer.body as { data?: { status: string; result?: unknown } }).data;
      return c?.status === 'acknowledged' ? c : undefined;
    });
    expect(done.result).toEqual({ status: 200, payload: { brightness: 75 } });
  });

  it("fails a command on Hono's delivery failure notification and closes a ttd window", async () => {
    const queued = await api('POST', `/twins/${encodeURIComponent(TWIN)}/command`, { action: 'reboot' });
    const commandId = (queued.body as { data: { command_id: string } }).data.command_id;
    await consumeUntil(
      [topic('command')],
      (rs) => rs.some((r) => r.headers['correlation-id'] === commandId),
      {
        timeoutMs: 15_000,
      },
    );
    await produce(topic('command_response'), [
      {
        key: DEVICE,
        value: '{"error": "device is not connected"}',
        headers: {
          'correlation-id': commandId,
          device_id: DEVICE,
          tenant_id: TENANT,
          'creation-time': String(Date.now()),
          'content-type': 'application/vnd.eclipse-hono-delivery-failure-notification+json',
          status: '503',
        },
      },
    ]);
    const failed = await waitFor('the command failed', async () => {
      const answer = await api('GET', `/twins/${encodeURIComponent(TWIN)}/commands/${commandId}`);
      const c = (answer.body as { data?: { status: string; ackStatus?: string; result?: unknown } }).data;
      return c?.status === 'failed' ? c : undefined;
    });
    expect(failed.ackStatus).toBe('failed');
    expect(failed.result).toEqual({ status: 503, error: 'device is not connected' });

    // An HTTP device waiting 2 s for commands: online now, offline when the window closes.
    await produce(topic('event'), [
      {
        key: DEVICE,
        value: null,
        headers: hono({ 'content-type': 'application/vnd.eclipse-hono-empty-notification', ttd: '2' }),
      },
    ]);
    await connection('offline');
  });
});
