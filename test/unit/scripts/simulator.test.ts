import { Channel } from '../../../scripts/simulator/channel';
import { deviceId, Fleet, type FleetOptions } from '../../../scripts/simulator/fleet';
import { toKafkaRecord } from '../../../scripts/simulator/kafka-transport';
import { parseOptions } from '../../../scripts/simulator/options';
import { seededRandom } from '../../../scripts/simulator/random';

const OPTIONS: FleetOptions = {
  devices: 5,
  idPrefix: 'sim-',
  seed: 1,
  mix: { telemetry: 1, state: 0, status: 0, error: 0 },
  anomalyRate: 0,
  offlineRate: 0,
  offlineSeconds: [1, 2],
  numbered: true,
};

describe('simulator fleet', () => {
  it('sends seed-001 telemetry round-robin with a per-device counter', () => {
    const fleet = new Fleet(OPTIONS);
    const messages = Array.from({ length: 10 }, () => fleet.next(1_000_000)!);
    expect(messages.map((m) => m.deviceId)).toEqual([...fleet.ids(), ...fleet.ids()]);
    expect(fleet.ids()[0]).toBe('sim-0001');
    const first = messages[0]!;
    expect(first.kind).toBe('telemetry');
    expect(first.payload).toMatchObject({ timestamp: new Date(1_000_000).toISOString(), data: { seq: 1 } });
    expect(messages[5]!.seq).toBe(2);
  });

  it('is deterministic for a seed', () => {
    const a = new Fleet({ ...OPTIONS, mix: { telemetry: 0.5, state: 0.2, status: 0.2, error: 0.1 } });
    const b = new Fleet({ ...OPTIONS, mix: { telemetry: 0.5, state: 0.2, status: 0.2, error: 0.1 } });
    const run = (f: Fleet): string => JSON.stringify(Array.from({ length: 50 }, () => f.next(5)));
    expect(run(a)).toBe(run(b));
  });

  it('draws kinds from the mix', () => {
    const fleet = new Fleet({
      ...OPTIONS,
      devices: 50,
      mix: { telemetry: 0, state: 1, status: 0, error: 0 },
    });
    for (let i = 0; i < 20; i++) expect(fleet.next(0)!.kind).toBe('state');
    expect(fleet.counts.sent.state).toBe(20);
  });

  it('goes offline, stays silent, then says online again', () => {
    const fleet = new Fleet({ ...OPTIONS, devices: 1, offlineRate: 1, offlineSeconds: [1, 1] });
    expect(fleet.next(0)).toMatchObject({ kind: 'status', payload: 'offline', retain: true });
    expect(fleet.next(500)).toBeUndefined();
    expect(fleet.next(1000)).toMatchObject({ kind: 'status', payload: 'online' });
    expect(fleet.counts.offlinePeriods).toBe(1);
  });

  it('acks commands and reports state after a desired change, before anything else', () => {
    const fleet = new Fleet(OPTIONS);
    const id = deviceId('sim-', 2);
    fleet.receive({ deviceId: id, kind: 'command', body: { command_id: 'c-1', action: 'reboot' } }, 0);
    fleet.receive(
      { deviceId: id, kind: 'desired', body: { version: 1, desired: { interval: 30, __proto__x: 1 } } },
      0,
    );
    const ack = fleet.next(0)!;
    expect(ack).toMatchObject({ kind: 'ack', deviceId: id, payload: { command_id: 'c-1' } });
    const state = fleet.next(0)!;
    expect(state).toMatchObject({
      kind: 'state',
      deviceId: id,
      payload: { version: 1, reported: { interval: 30 } },
    });
    // The same desired value again changes nothing, so no new report.
    fleet.receive({ deviceId: id, kind: 'desired', body: { desired: { interval: 30 } } }, 0);
    expect(fleet.next(0)!.kind).toBe('telemetry');
  });
});

describe('simulator channel', () => {
  it('stays within bounds without anomalies and reports which anomaly starts', () => {
    const random = seededRandom(3);
    const spec = { base: 20, spread: 2, step: 1, min: 10, max: 30, decimals: 1 };
    const quiet = new Channel(spec, random);
    for (let i = 0; i < 1000; i++) {
      const { value, started } = quiet.next(random, 0);
      expect(value).toBeGreaterThanOrEqual(10);
      expect(value).toBeLessThanOrEqual(30);
      expect(started).toBeUndefined();
    }
    const noisy = new Channel(spec, random);
    const kinds = new Set(Array.from({ length: 300 }, () => noisy.next(random, 1).started).filter(Boolean));
    expect([...kinds].sort()).toEqual(['drift', 'spike', 'stuck']);
  });
});

describe('simulator options', () => {
  it('reads flags over the environment over defaults', () => {
    const o = parseOptions(
      ['--rate', '50', '--seq', '--no-listen', '--mix=telemetry=1,state=0,status=0,error=0'],
      {
        SIM_DEVICES: '3',
      },
    );
    expect(o).toMatchObject({
      devices: 3,
      rate: 50,
      numbered: true,
      listen: false,
      transport: 'mqtt',
      connections: 3,
    });
    expect(o.mix.telemetry).toBe(1);
  });

  it('takes a named behaviour scenario and its window, and refuses an unknown one', () => {
    expect(parseOptions([], {})).toMatchObject({ scenario: '', windowSeconds: 60 });
    expect(parseOptions(['--scenario', 'beaconing', '--window', '1'], {})).toMatchObject({
      scenario: 'beaconing',
      windowSeconds: 1,
    });
    expect(() => parseOptions(['--scenario', 'ddos'], {})).toThrow(
      /--scenario \/ SIM_SCENARIO must be one of/,
    );
  });

  it('names every mistake at once', () => {
    expect(() => parseOptions(['--rate', 'fast', '--transport', 'smoke', '--bogus'], {})).toThrow(
      /unknown argument "--bogus"[\s\S]*--rate[\s\S]*--transport/,
    );
  });
});

describe('simulator kafka records', () => {
  it('look like what the bridge writes', () => {
    const record = toKafkaRecord({ kind: 'status', deviceId: 'd-1', payload: 'online', retain: true }, 42);
    expect(record).toMatchObject({ key: 'd-1', value: '{"status":"online"}', timestamp: '42' });
    expect(record.headers).toMatchObject({ 'mqtt.topic': 'device/d-1/status', 'mqtt.retain': 'true' });
  });
});
