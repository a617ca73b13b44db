import { topicNames } from '../../../shared/topics';
import { OutputBuffer } from '../../../topology/output-buffer';
import { decodeInput, foldTwin, DEFAULT_FOLD_CONFIG } from '../../../topology/twin';
import { accountChange, emptyCounts } from '../../../topology/twin-stats';

const topics = topicNames({ topicPrefix: 'x.' });

function created() {
  const input = decodeInput('telemetry', 'dev-1', '{"temperature": 1}', 1000);
  return foldTwin(undefined, input, { nowMs: 1000, config: DEFAULT_FOLD_CONFIG });
}

describe('OutputBuffer', () => {
  it('writes the twin document, then its events, keyed by device id with the record time', () => {
    const out = new OutputBuffer(topics);
    const result = created();
    out.addChange('dev-1', result.state, result.events, result.downlink, 1000);
    const byTopic = new Map(out.topicMessages().map((t) => [t.topic, t.messages]));
    const twin = byTopic.get('x.device.twins')![0]!;
    expect(twin.key).toBe('dev-1');
    expect(twin.timestamp).toBe('1000');
    expect(twin.headers).toEqual({ 'twinfold.version': '1' });
    expect(JSON.parse(String(twin.value))).toMatchObject({
      id: 'dev-1',
      version: 1,
      reported: { temperature: 1 },
    });
    expect(byTopic.get('x.device.events')!.map((m) => JSON.parse(String(m.value)).type)).toEqual(
      result.events.map((e) => e.type),
    );
    expect(out.size).toBe(1 + result.events.length);
  });

  it("writes a tombstone carrying the deletion's version for a deleted twin and no twin record for a rejection", () => {
    const out = new OutputBuffer(topics);
    out.addChange('dev-1', null, [], [], 5, 8);
    out.addChange('dev-2', undefined, [], [], 5);
    expect(out.topicMessages()).toEqual([
      {
        topic: 'x.device.twins',
        messages: [{ key: 'dev-1', value: null, timestamp: '5', headers: { 'twinfold.version': '8' } }],
      },
    ]);
  });
});

describe('accountChange', () => {
  it('keeps the fleet gauges in step with creations, changes and deletes', () => {
    const counts = emptyCounts();
    const state = created().state!;
    accountChange(counts, undefined, state);
    expect(counts).toMatchObject({ twins: 1, online: 1, withDelta: 0 });
    const offline = { ...state, connection: { ...state.connection, status: 'offline' as const } };
    accountChange(counts, state, offline);
    expect(counts).toMatchObject({ twins: 1, online: 0, offline: 1 });
    accountChange(counts, offline, null);
    expect(counts).toEqual(emptyCounts());
  });
});
