import type { DeviceHealth, DeviceView } from '../../../api/routes/devices';
import { apiError, data, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

const NOW = new Date('2026-11-24T10:32:02.120Z');

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi({ now: () => NOW });
  putTwin(api.backend, twinFixture('sensor-001'));
  putTwin(
    api.backend,
    twinFixture('sensor-002', {
      lifecycle: 'pending',
      connection: { status: 'unknown', since: null, lastSeen: null },
    }),
  );
});
afterEach(() => api.close());

describe('GET /api/v1/devices', () => {
  it('lists the connection view of the fleet', async () => {
    const list = data<{ count: number; devices: DeviceView[]; nextCursor: string | null }>(
      await api.request('GET', '/api/v1/devices'),
    );
    expect(list.count).toBe(2);
    expect(list.nextCursor).toBeNull();
    expect(list.devices[0]).toEqual({
      id: 'sensor-001',
      type: 'temperature_sensor',
      lifecycle: 'active',
      status: 'online',
      since: '2026-11-24T10:30:00.000Z',
      lastSeen: '2026-11-24T10:31:02.120Z',
      pendingCommands: 0,
    });
  });

  it('filters and pages like /twins', async () => {
    const list = data<{ devices: DeviceView[]; nextCursor: string | null }>(
      await api.request('GET', '/api/v1/devices?status=unknown&limit=1'),
    );
    expect(list.devices.map((d) => d.id)).toEqual(['sensor-002']);
    expect((await api.request('GET', '/api/v1/devices?limit=5000')).status).toBe(400);
  });
});

describe('GET /api/v1/devices/:id and /health', () => {
  it('returns one device', async () => {
    const res = await api.request('GET', '/api/v1/devices/sensor-001');
    expect(res.status).toBe(200);
    expect(data<DeviceView>(res).status).toBe('online');
  });

  it('reports a healthy device', async () => {
    const health = data<DeviceHealth>(await api.request('GET', '/api/v1/devices/sensor-001/health'));
    expect(health).toEqual({
      id: 'sensor-001',
      healthy: true,
      status: 'online',
      lifecycle: 'active',
      lastSeen: '2026-11-24T10:31:02.120Z',
      silentForSeconds: 60,
      pendingCommands: 0,
      reasons: [],
    });
  });

  it('explains an unhealthy device', async () => {
    const health = data<DeviceHealth>(await api.request('GET', '/api/v1/devices/sensor-002/health'));
    expect(health.healthy).toBe(false);
    expect(health.silentForSeconds).toBeNull();
    expect(health.reasons).toEqual(['lifecycle is pending', 'connection is unknown', 'never seen']);
  });

  it('answers 404 for an unknown device', async () => {
    for (const path of ['/api/v1/devices/nobody', '/api/v1/devices/nobody/health']) {
      const res = await api.request('GET', path);
      expect(res.status).toBe(404);
      expect(apiError(res).code).toBe('TWIN_NOT_FOUND');
    }
  });
});
