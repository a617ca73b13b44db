import { toTwinDocument, type TwinState } from '../../../topology/twin';
import { command, deepFreeze, desired, next, offlineTwin, registry, SEC, T0, telemetry } from './helpers';

function sample(): TwinState {
  let s = next(
    undefined,
    registry('create', T0 - 90 * 60 * SEC, {
      type: 'temperature_sensor',
      attributes: { location: 'Room A', manufacturer: 'SensorCorp' },
    }),
  );
  s = next(s, desired({ interval: 10 }, T0 + 20 * 60 * SEC));
  s = next(s, telemetry({ temperature: 23.5, humidity: 65, gone: 1 }, T0 + 30 * 60 * SEC));
  s = next(s, telemetry({ gone: null }, T0 + 30 * 60 * SEC + 1000));
  s = next(s, telemetry({ temperature: 23.5 }, T0 + 31 * 60 * SEC + 2120));
  return next(s, command('c1', T0 + 31 * 60 * SEC + 2120));
}

describe('toTwinDocument', () => {
  it('produces the docs/contract.md document', () => {
    const doc = toTwinDocument(deepFreeze(sample()));
    expect(doc).toEqual({
      id: 'sensor-001',
      type: 'temperature_sensor',
      lifecycle: 'active',
      connection: {
        status: 'online',
        since: '2026-11-24T10:30:00.000Z',
        lastSeen: '2026-11-24T10:31:02.120Z',
      },
      reported: { temperature: 23.5, humidity: 65 },
      desired: { interval: 10 },
      delta: { interval: 10 },
      metadata: {
        reported: {
          temperature: { timestamp: '2026-11-24T10:31:02.120Z', version: 5 },
          humidity: { timestamp: '2026-11-24T10:30:00.000Z', version: 3 },
        },
        desired: { interval: { timestamp: '2026-11-24T10:20:00.000Z', version: 2 } },
      },
      attributes: { location: 'Room A', manufacturer: 'SensorCorp' },
      version: 6,
      commands: { pending: 1 },
      createdAt: '2026-11-24T08:30:00.000Z',
      updatedAt: '2026-11-24T10:31:02.120Z',
    });
  });

  it('keeps keys in contract order', () => {
    expect(Object.keys(toTwinDocument(sample()))).toEqual([
      'id',
      'type',
      'lifecycle',
      'connection',
      'reported',
      'desired',
      'delta',
      'metadata',
      'attributes',
      'version',
      'commands',
      'createdAt',
      'updatedAt',
    ]);
    expect(Object.keys(toTwinDocument(sample()).connection)).toEqual(['status', 'since', 'lastSeen']);
  });

  it('leaves tombstones out of the metadata', () => {
    const s = sample();
    expect(s.metadata.reported.gone).toBeDefined();
    expect(toTwinDocument(s).metadata.reported).not.toHaveProperty('gone');
  });

  it('uses null for a device never seen', () => {
    const doc = toTwinDocument(next(undefined, registry('create')));
    expect(doc.connection).toEqual({ status: 'unknown', since: null, lastSeen: null });
    expect(doc.lifecycle).toBe('pending');
  });

  it('counts PENDING and DELIVERED commands only', () => {
    let s = offlineTwin();
    s = next(s, command('a', T0 + 2 * SEC));
    s = next(s, command('b', T0 + 2 * SEC));
    expect(toTwinDocument(s).commands).toEqual({ pending: 2 });
    s = next(s, {
      kind: 'ack',
      deviceId: s.id,
      timestampMs: T0 + 3 * SEC,
      commandId: 'a',
      status: 'success',
    });
    expect(toTwinDocument(s).commands).toEqual({ pending: 1 });
  });

  it('shares nothing with the state', () => {
    const s = sample();
    const doc = toTwinDocument(s);
    (doc.reported as Record<string, unknown>).temperature = 0;
    (doc.attributes as Record<string, unknown>).location = 'x';
    expect(s.reported.temperature).toBe(23.5);
    expect(s.attributes.location).toBe('Room A');
  });

  it('survives JSON', () => {
    const doc = toTwinDocument(sample());
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
