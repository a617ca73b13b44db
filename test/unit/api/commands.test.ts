import type { TwinDocument } from '../../../api/twin-document';
import { apiError, data, startTestApi, putTwin, twinFixture, type TestApi } from './harness';

interface Command {
  command_id: string;
  action: string;
  parameters: Record<string, unknown>;
  priority: number;
  status: string;
  timestamp: string;
  expiresAt: string;
  updatedAt: string;
  attempts: number;
}

let api: TestApi;
beforeEach(async () => {
  api = await startTestApi();
  putTwin(api.backend, twinFixture('light-001'));
});
afterEach(() => api.close());

const queue = (body: unknown, id = 'light-001') =>
  api.request('POST', `/api/v1/twins/${id}/command`, { body });

describe('POST /api/v1/twins/:id/command', () => {
  it('queues a command: 202 with command_id, status pending and a Location', async () => {
    const res = await queue({
      action: 'set_temperature',
      parameters: { value: 25, unit: 'celsius' },
      priority: 7,
      ttl: 60,
    });
    expect(res.status).toBe(202);
    const command = data<Command>(res);
    expect(command).toMatchObject({
      command_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      action: 'set_temperature',
      parameters: { value: 25, unit: 'celsius' },
      priority: 7,
      status: 'pending',
    });
    expect(Date.parse(command.expiresAt) - Date.parse(command.timestamp)).toBe(60_000);
    expect(res.headers.get('location')).toBe(`/api/v1/twins/light-001/commands/${command.command_id}`);
    expect((await api.backend.getTwin('light-001'))?.commands.pending).toBe(1);
  });

  it('passes ttl to the backend in milliseconds and leaves defaults to it', async () => {
    const spy = jest.spyOn(api.backend, 'queueCommand');
    await queue({ action: 'turn_on' });
    await queue({ action: 'turn_on', ttl: 2 });
    expect(spy).toHaveBeenNthCalledWith(1, 'light-001', { action: 'turn_on', parameters: {} });
    expect(spy).toHaveBeenNthCalledWith(2, 'light-001', { action: 'turn_on', parameters: {}, ttlMs: 2000 });
  });

  it.each([
    [{}, /action must match/],
    [{ action: 'bad action' }, /action must match/],
    [{ action: 'x', parameters: [1] }, /parameters must be a JSON object/],
    [{ action: 'x', priority: 10 }, /priority must be an integer between 0 and 9/],
    [{ action: 'x', priority: 1.5 }, /priority/],
    [{ action: 'x', ttl: 0 }, /ttl \(seconds\) must be an integer between 1 and 604800/],
    [{ action: 'x', ttl: '60' }, /ttl/],
    [{ action: 'x', timeout: 5 }, /unknown field\(s\) timeout/],
  ])('rejects %j with 400', async (body, message) => {
    const res = await queue(body);
    expect(res.status).toBe(400);
    const error = apiError(res);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.message).toMatch(message);
  });

  it('answers 409 LIFECYCLE_CONFLICT for a suspended twin', async () => {
    putTwin(api.backend, twinFixture('light-002', { lifecycle: 'suspended' }));
    const res = await queue({ action: 'turn_on' }, 'light-002');
    expect(res.status).toBe(409);
    expect(apiError(res).code).toBe('LIFECYCLE_CONFLICT');
  });

  it('answers 404 for an unknown twin', async () => {
    expect((await queue({ action: 'turn_on' }, 'nobody')).status).toBe(404);
  });
});

describe('GET /api/v1/twins/:id/commands and /commands/:cid', () => {
  it('lists the queue newest first and reads one command', async () => {
    const first = data<Command>(await queue({ action: 'turn_on' }));
    const second = data<Command>(await queue({ action: 'turn_off' }));
    const list = data<{ count: number; commands: Command[] }>(
      await api.request('GET', '/api/v1/twins/light-001/commands'),
    );
    expect(list.count).toBe(2);
    expect(list.commands.map((c) => c.command_id)).toEqual([second.command_id, first.command_id]);

    const one = await api.request('GET', `/api/v1/twins/light-001/commands/${first.command_id}`);
    expect(one.status).toBe(200);
    // The twin is online: folding the command delivered it.
    const { command_id, action, parameters, priority } = first;
    expect(data<Command>(one)).toMatchObject({
      command_id,
      action,
      parameters,
      priority,
      status: 'delivered',
      attempts: 1,
    });
  });

  it('lists an empty queue', async () => {
    const list = data<{ count: number }>(await api.request('GET', '/api/v1/twins/light-001/commands'));
    expect(list.count).toBe(0);
  });

  it('answers 404 TWIN_NOT_FOUND and COMMAND_NOT_FOUND', async () => {
    const noTwin = await api.request('GET', '/api/v1/twins/nobody/commands');
    expect(noTwin.status).toBe(404);
    expect(apiError(noTwin).code).toBe('TWIN_NOT_FOUND');
    const noCommand = await api.request('GET', '/api/v1/twins/light-001/commands/cmd-missing');
    expect(noCommand.status).toBe(404);
    expect(apiError(noCommand)).toEqual({
      code: 'COMMAND_NOT_FOUND',
      message: 'command cmd-missing of twin light-001 not found',
    });
  });

  it('rejects a malformed command id', async () => {
    const res = await api.request('GET', '/api/v1/twins/light-001/commands/%24bad');
    expect(res.status).toBe(400);
    expect(apiError(res).message).toMatch(/command id must match/);
  });

  it('keeps the twin document free of command internals', async () => {
    await queue({ action: 'turn_on' });
    const twin = data<TwinDocument>(await api.request('GET', '/api/v1/twins/light-001'));
    expect(twin.commands).toEqual({ pending: 1 });
  });
});
