import { Registry } from 'prom-client';
import { ChangeHub } from '../../../../api/events/change-hub';
import { EventStreams, type StreamSink } from '../../../../api/events/event-streams';
import { createLogger } from '../../../../shared/logger';
import { FakeTwinsLog } from '../events/fake-log';

/** EventStreams.openSink, the seam of the WebSocket subscriptions, with device.twins in memory. */
describe('EventStreams sinks', () => {
  it('detaches a sink that closes itself within its replay', async () => {
    const log = new FakeTwinsLog(4);
    const hub = new ChangeHub(log.ends(), 100);
    log.subscribe((c) => hub.publish(c));
    const streams = new EventStreams({
      startSharedReader: async () => ({ hub, partitionCount: 4, stop: async () => undefined }),
      startReplayReader: () => Promise.reject(new Error('not in this test')),
      endOffsets: async () => log.ends(),
      maxStreams: 1,
      maxReplayConsumers: 0,
      heartbeatMs: 1000,
      logger: createLogger({ write: () => undefined }),
      registry: new Registry(),
    });
    const from = '0.0.0.0';
    for (let i = 0; i < 5; i++) log.put(`t-${i}`, {});
    const received: string[] = [];
    const start = await streams.openSink({ selector: { kind: 'fleet', filter: {} }, lastEventId: from });
    start((onClose) => {
      let closed = false;
      const sink: StreamSink = {
        get isClosed() {
          return closed;
        },
        start: () => undefined,
        send: (event) => {
          received.push(event.id);
          closed = true;
          onClose();
        },
        close: () => undefined,
      };
      return sink;
    });
    expect(received).toHaveLength(1);
    expect(hub['listeners'].size).toBe(0);
    expect(streams.stats()).toEqual({ shared: 0, own: 0 });
    // Sinks take no SSE_MAX_STREAMS slot: a second one opens with maxStreams 1.
    await expect(streams.openSink({ selector: { kind: 'fleet', filter: {} } })).resolves.toBeInstanceOf(
      Function,
    );
    await streams.close();
  });
});
