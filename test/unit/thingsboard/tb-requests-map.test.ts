import {
  commandRecord,
  desiredRecord,
  parseAttributeMessage,
  parseRpcMessage,
  rpcIdOf,
  rpcReply,
} from '../../../adapters/thingsboard/tb-requests-map';
import { decodeInput } from '../../../shared/inputs';
import type { JsonObject } from '../../../shared/json';
import { DEFAULT_JSON_LIMITS } from '../../../shared/safe-json';
import { codeOf } from '../../support/error-code';

const bytes = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('ThingsBoard requests → twinfold inputs', () => {
  it('reads a shared-attribute update as ThingsBoard sends it, and its patch (deleted keys become null)', () => {
    const inbound = parseAttributeMessage(
      bytes({ device: 'light-001', data: { interval: 10, mode: 'eco', deleted: ['color'] } }),
      DEFAULT_JSON_LIMITS,
    );
    expect(inbound).toEqual({
      kind: 'request',
      request: { device: 'light-001', data: { interval: 10, mode: 'eco', deleted: ['color'] } },
    });
    if (inbound.kind !== 'request') throw new Error('unreachable');
    expect(desiredRecord(inbound.request, new Set(), 'r-1')).toEqual({
      patch: { interval: 10, mode: 'eco', color: null },
      requestId: 'r-1',
    });
    expect(desiredRecord(inbound.request, new Set(['interval']), 'r-1')).toEqual({
      patch: { interval: 10 },
      requestId: 'r-1',
    });
    expect(desiredRecord(inbound.request, new Set(['other']), 'r-1')).toBeUndefined();
  });

  it('recognises its own client attributes and RPC replies echoed by a plain broker', () => {
    expect(parseAttributeMessage(bytes({ 'light-001': { firmware: '1.0' } }), DEFAULT_JSON_LIMITS)).toEqual({
      kind: 'own',
    });
    expect(
      parseRpcMessage(bytes({ device: 'light-001', id: 3, data: { success: true } }), DEFAULT_JSON_LIMITS),
    ).toEqual({
      kind: 'own',
    });
  });

  it('refuses malformed requests with stable codes', () => {
    const code = codeOf;
    expect(code(() => parseRpcMessage(bytes('not json'), DEFAULT_JSON_LIMITS))).toBe('MALFORMED_JSON');
    expect(code(() => parseRpcMessage(bytes([1, 2]), DEFAULT_JSON_LIMITS))).toBe('VALIDATION_ERROR');
    expect(
      code(() =>
        parseRpcMessage(bytes({ device: 'bad id!', data: { id: 1, method: 'x' } }), DEFAULT_JSON_LIMITS),
      ),
    ).toBe('INVALID_ID');
    expect(
      code(() =>
        parseRpcMessage(bytes({ device: 'a', data: { id: 1.5, method: 'x' } }), DEFAULT_JSON_LIMITS),
      ),
    ).toBe('VALIDATION_ERROR');
    expect(
      code(() =>
        parseRpcMessage(bytes({ device: 'a', data: { id: 1, method: 'no spaces' } }), DEFAULT_JSON_LIMITS),
      ),
    ).toBe('VALIDATION_ERROR');
    expect(code(() => parseAttributeMessage(bytes({ device: 'a', data: 5 }), DEFAULT_JSON_LIMITS))).toBe(
      'VALIDATION_ERROR',
    );
    expect(code(() => parseAttributeMessage(bytes({ device: 7, data: {} }), DEFAULT_JSON_LIMITS))).toBe(
      'VALIDATION_ERROR',
    );
  });

  it('makes an RPC a command the processor accepts, with the RPC id in the command id', () => {
    const inbound = parseRpcMessage(
      bytes({ device: 'light-001', data: { id: 42, method: 'set_brightness', params: { level: 80 } } }),
      DEFAULT_JSON_LIMITS,
    );
    if (inbound.kind !== 'request') throw new Error('expected a request');
    const record = commandRecord(inbound.request, 60, '0a1b2c3d');
    expect(record).toEqual({
      command_id: 'tb-rpc-42-0a1b2c3d',
      action: 'set_brightness',
      parameters: { level: 80 },
      ttl: 60,
    });
    expect(decodeInput('command', 'light-001', JSON.stringify(record), Date.now())).toMatchObject({
      commandId: 'tb-rpc-42-0a1b2c3d',
    });
    expect(commandRecord({ ...inbound.request, params: 5 }, 60, '0a1b2c3d').parameters).toEqual({ value: 5 });
    expect(rpcIdOf('tb-rpc-42-0a1b2c3d')).toBe(42);
    expect(rpcIdOf('cmd-12345')).toBeUndefined();
  });

  it('answers the RPC when its command ends, as {"device", "id", "data"}', () => {
    const event = (data: JsonObject): JsonObject => ({
      type: 'command.status',
      deviceId: 'light-001',
      version: 9,
      data,
    });
    const ok = rpcReply(
      'light-001',
      event({
        commandId: 'tb-rpc-42-0a1b2c3d',
        status: 'acknowledged',
        ackStatus: 'success',
        result: { level: 80 },
      }),
    );
    expect(ok?.topic).toBe('v1/gateway/rpc');
    expect(JSON.parse(ok!.payload)).toEqual({
      device: 'light-001',
      id: 42,
      data: { success: true, status: 'acknowledged', ackStatus: 'success', result: { level: 80 } },
    });
    const failed = rpcReply(
      'light-001',
      event({ commandId: 'tb-rpc-42-0a1b2c3d', status: 'failed', error: 'ack:error' }),
    );
    expect(JSON.parse(failed!.payload)).toEqual({
      device: 'light-001',
      id: 42,
      data: { success: false, status: 'failed', error: 'ack:error' },
    });
    expect(
      rpcReply('light-001', event({ commandId: 'tb-rpc-42-0a1b2c3d', status: 'delivered' })),
    ).toBeUndefined();
    expect(rpcReply('light-001', event({ commandId: 'cmd-1', status: 'acknowledged' }))).toBeUndefined();
    expect(rpcReply('light-001', { type: 'connected', data: {} })).toBeUndefined();
  });
});
