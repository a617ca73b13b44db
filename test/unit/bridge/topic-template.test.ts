import { compileTopicTemplate } from '../../../bridge/topic-template';

describe('compileTopicTemplate', () => {
  const telemetry = compileTopicTemplate('device/{id}/telemetry');

  it('subscribes with + in place of the id, optionally behind a shared group', () => {
    expect(telemetry.filter()).toBe('device/+/telemetry');
    expect(telemetry.filter('bridges')).toBe('$share/bridges/device/+/telemetry');
  });

  it('reads the raw id level back from a matching topic', () => {
    expect(telemetry.idOf('device/sensor-001/telemetry')).toBe('sensor-001');
    expect(telemetry.idOf('device/dévice/telemetry')).toBe('dévice');
    expect(telemetry.idOf('device//telemetry')).toBe('');
  });

  it('returns null for topics of another layout', () => {
    expect(telemetry.idOf('device/sensor-001/state')).toBeNull();
    expect(telemetry.idOf('device/a/b/telemetry')).toBeNull();
    expect(telemetry.idOf('devices/sensor-001/telemetry')).toBeNull();
    expect(telemetry.idOf('device/sensor-001')).toBeNull();
  });

  it('formats a device topic, taking the id literally', () => {
    expect(compileTopicTemplate('device/{id}/command').format('light-1')).toBe('device/light-1/command');
    expect(compileTopicTemplate('{id}/cmd').format('a$&b')).toBe('a$&b/cmd');
  });

  it.each([
    ['no placeholder', 'device/telemetry'],
    ['placeholder twice', 'device/{id}/{id}'],
    ['placeholder inside a level', 'device/x{id}/telemetry'],
    ['a wildcard', 'device/{id}/+'],
    ['a multi-level wildcard', 'device/{id}/#'],
    ['a $-topic', '$SYS/{id}'],
    ['another placeholder', 'device/{id}/{kind}'],
  ])('rejects a template with %s', (_what, template) => {
    expect(() => compileTopicTemplate(template)).toThrow();
  });
});
