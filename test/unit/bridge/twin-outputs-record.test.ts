import { compileTopicTemplate } from '../../../bridge/topic-template';
import { eventOutput, updateOutput } from '../../../bridge/twin-outputs-record';
import { DEFAULT_JSON_LIMITS } from '../../../shared/safe-json';

const templates = {
  update: compileTopicTemplate('twin/{id}/update'),
  event: compileTopicTemplate('twin/{id}/event'),
  alert: compileTopicTemplate('twin/{id}/alert'),
};
const b = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const key = b('sensor-001');

const doc = {
  id: 'sensor-001',
  version: 7,
  reported: { temperature: 23.5, humidity: 60 },
  desired: { interval: 10 },
  metadata: {
    reported: { temperature: { timestamp: 'x', version: 7 }, humidity: { timestamp: 'x', version: 5 } },
    desired: { interval: { timestamp: 'x', version: 7 } },
  },
  updatedAt: '2026-11-24T10:31:02.120Z',
};

describe('twin/{id}/update', () => {
  it('names the fields this version changed, with the version and time', () => {
    const out = updateOutput(key, b(doc), templates.update, DEFAULT_JSON_LIMITS);
    expect(out?.topic).toBe('twin/sensor-001/update');
    expect(JSON.parse(out!.payload.toString())).toEqual({
      id: 'sensor-001',
      version: 7,
      timestamp: '2026-11-24T10:31:02.120Z',
      reported: { temperature: 23.5 },
      desired: { interval: 10 },
    });
  });

  it('publishes nothing for a version that changed no field, a tombstone, a bad id or bad JSON', () => {
    expect(
      updateOutput(key, b({ ...doc, version: 8 }), templates.update, DEFAULT_JSON_LIMITS),
    ).toBeUndefined();
    expect(updateOutput(key, null, templates.update, DEFAULT_JSON_LIMITS)).toBeUndefined();
    expect(updateOutput(b('a/+'), b(doc), templates.update, DEFAULT_JSON_LIMITS)).toBeUndefined();
    expect(updateOutput(key, b('{'), templates.update, DEFAULT_JSON_LIMITS)).toBeUndefined();
  });
});

describe('twin/{id}/event and twin/{id}/alert', () => {
  const event = (type: string) => b({ type, deviceId: 'sensor-001', version: 3, timestamp: 'x', data: {} });

  it.each([
    ['alert.raised', 'twin/sensor-001/alert'],
    ['alert.cleared', 'twin/sensor-001/alert'],
    ['alert', 'twin/sensor-001/alert'],
    ['connected', 'twin/sensor-001/event'],
    ['twin.created', 'twin/sensor-001/event'],
    ['lifecycle.changed', 'twin/sensor-001/event'],
    ['command.status', 'twin/sensor-001/event'],
    ['rule.fired', 'twin/sensor-001/event'],
  ])('%s goes to %s unchanged', (type, topic) => {
    const out = eventOutput(key, event(type), templates, DEFAULT_JSON_LIMITS);
    expect(out?.topic).toBe(topic);
    expect(out?.payload).toEqual(event(type));
  });

  it.each(['desired.changed', 'delta.changed', 'desired.rejected', 'something'])(
    '%s is not published',
    (type) => {
      expect(eventOutput(key, event(type), templates, DEFAULT_JSON_LIMITS)).toBeUndefined();
    },
  );
});
