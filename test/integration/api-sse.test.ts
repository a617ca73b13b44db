import { parseFleetPosition, parseTwinPosition } from '../../api/events/position';
import { partitionForKey } from '../../shared/partitioner';
import { produce, readAll, testKafka, type ConsumedRecord } from '../support/kafka';
import { SseClient } from '../support/sse-client';
import { deployment, getJson, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';
import { QUIET_TIMERS } from '../support/workload';

const PARTITIONS = 4;
const REPLAY_BUFFER = 8;

/**
 * Server-Sent Events against a real service process and a real broker: a fleet stream and a
 * one-twin stream receive changes, disconnect, resume with Last-Event-ID while more changes are
 * produced (once from the replay buffer, once from far enough back to need a consumer of their
 * own), and in the end have received exactly the records of device.twins after their starting
 * position: each once, in order per twin. Compared with device.twins read by a real consumer.
 */
describe('live events (SSE) with exact Last-Event-ID resume', () => {
  let d: Deployment;
  let service: ServiceInstance;
  const clients: SseClient[] = [];
  const devices = ['sse-0', 'sse-1', 'sse-2', 'sse-3', 'sse-4'];
  const produced = new Map<string, number>(devices.map((id) => [id, 0]));
  /**
   * Reading times of a device uploading what it buffered while offline: older than the 24 h
   * silence limit of QUIET_TIMERS. The records carry the same stale stamp, as a careless producer
   * would send them; the inputs are LogAppendTime topics, so the twin is heard now and stays online
   * (with producer timestamps the silence timer fired and every version ran ahead of the readings).
   */
  let clock = Date.now() - 30 * 3600 * 1000;

  beforeAll(async () => {
    d = deployment('api-sse', {
      ...QUIET_TIMERS,
      PARTITIONS: String(PARTITIONS),
      SSE_REPLAY_BUFFER: String(REPLAY_BUFFER),
      SSE_HEARTBEAT_MS: '1000',
    });
    service = await startService(d);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await d?.cleanup();
  });

  const connect = async (path: string, lastEventId?: string): Promise<SseClient> => {
    const client = await SseClient.connect(
      service.url + path,
      lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
    );
    clients.push(client);
    await waitFor('the starting id', () => client.lastEventId !== undefined);
    return client;
  };

  /** `n` telemetry readings spread over the devices; each changes its twin once (version + 1). */
  const readings = async (n: number): Promise<void> => {
    const messages = Array.from({ length: n }, (_, i) => {
      const id = devices[(i * 3 + n) % devices.length]!;
      produced.set(id, produced.get(id)! + 1);
      clock += 1000;
      const value = { timestamp: new Date(clock).toISOString(), data: { temperature: produced.get(id) } };
      return { key: id, value: JSON.stringify(value), timestamp: String(clock) };
    });
    await produce(`${d.prefix}device.telemetry`, messages);
  };

  /** Waits until every twin shows every reading produced so far, so device.twins holds them all. */
  const settled = (): Promise<unknown> =>
    waitFor('every reading folded', async () => {
      for (const [id, n] of produced) {
        if (n === 0) continue;
        const res = await getJson(`${service.url}/api/v1/twins/${id}`);
        if ((res.body as { data?: { version?: number } } | undefined)?.data?.version !== n) return false;
      }
      return true;
    });

  /** Whether a client has received the latest version of every twin produced to so far. */
  const seenLatest = (client: SseClient): boolean =>
    received([client]).length > 0 &&
    [...produced].every(([id, n]) => n === 0 || received([client]).includes(`${id}#${n}`));

  /**
   * Waits until the instance's shared reader has read past the record of every twin's latest
   * version (a new stream opens at the reader's position): only then has its replay buffer surely
   * moved past an old position. Device.twins is read committed, like the reader.
   */
  const sharedReaderPast = (): Promise<unknown> =>
    waitFor('the shared reader past the latest changes', async () => {
      const latest = (await readAll([`${d.prefix}device.twins`])).filter(
        (r) => Number(r.headers['twinfold.version']) === produced.get(r.key ?? ''),
      );
      if (latest.length < [...produced.values()].filter((n) => n > 0).length) return false;
      const probe = await SseClient.connect(`${service.url}/api/v1/events`);
      try {
        await waitFor("the probe's starting id", () => probe.firstEventId !== undefined);
        const at = parseFleetPosition(probe.firstEventId!, PARTITIONS);
        return latest.every((r) => at[r.partition]! > Number(r.offset));
      } finally {
        probe.close();
      }
    });

  /** `id#version` of what a client received, in arrival order. */
  const received = (clients: SseClient[]): string[] =>
    clients.flatMap((c) =>
      c.events.map((e) => {
        const doc = JSON.parse(e.data!) as { id: string; version: number };
        return `${doc.id}#${doc.version}`;
      }),
    );
  /** `id#version` of the device.twins records a stream should receive. */
  const expectedFrom = (records: ConsumedRecord[], wanted: (r: ConsumedRecord) => boolean): string[] =>
    records.filter(wanted).map((r) => `${r.key}#${r.headers['twinfold.version']}`);
  /** Per twin, versions in the order received; the lists of all twins sorted for comparison. */
  const perTwin = (list: string[]): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    for (const item of list) {
      const [id, version] = item.split('#') as [string, string];
      (out[id] ??= []).push(Number(version));
    }
    return out;
  };
  /** One series' value; undefined when /metrics lacks it, so a check for 0 cannot pass by default. */
  const metric = async (series: string): Promise<number | undefined> => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const replayGroups = async (): Promise<{ id: string; members: number }[]> => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const ids = (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith(`${d.prefix}app-events-replay-`));
      if (ids.length === 0) return [];
      const { groups } = await admin.describeGroups(ids);
      return groups.map((g) => ({ id: g.groupId, members: g.members.length }));
    } finally {
      await admin.disconnect();
    }
  };

  it('logs loudly that authentication is off (the tests switch it off explicitly)', () => {
    expect(service.process.lines.some((l) => /"level":"warn".*AUTHENTICATION IS OFF/.test(l))).toBe(true);
  });

  it('delivers every change exactly once across disconnects and resumes', async () => {
    await readings(5);
    await settled();
    const twinId = 'sse-1';
    const twinPartition = partitionForKey(twinId, PARTITIONS);
    const fleet1 = await connect('/api/v1/events');
    const twin1 = await connect(`/api/v1/twins/${twinId}/events`);
    // The opening ids: events may already have moved lastEventId.
    const fleetStart = parseFleetPosition(fleet1.firstEventId!, PARTITIONS);
    const twinStart = parseTwinPosition(twin1.firstEventId!, twinPartition);

    // Session 1: live changes.
    await readings(6);
    await settled();
    // Not `length === 6`: a stream starts at the last stable offset, which can still sit below the
    // first readings' records for the moment their transaction markers take; those come first.
    await fleet1.waitFor('session 1 changes', () => seenLatest(fleet1));
    fleet1.close();
    twin1.close();
    await waitFor(
      'both streams released',
      async () => (await metric('twinfold_sse_streams{reader="shared"}')) === 0,
    );

    // Away briefly: a resume the replay buffer still covers; more changes arrive while resuming.
    await readings(3);
    const fleet2 = await connect('/api/v1/events', fleet1.lastEventId);
    const twin2 = await connect(`/api/v1/twins/${twinId}/events`, twin1.lastEventId);
    expect(await metric('twinfold_sse_streams{reader="shared"}')).toBe(2);
    await readings(3);
    await settled();
    await fleet2.waitFor('session 2 changes', (e) => e.length === 6);
    fleet2.close();
    twin2.close();

    // Away long enough for the buffer to have moved past the position: a consumer of its own.
    await readings(3 * REPLAY_BUFFER);
    await settled();
    await sharedReaderPast();
    const fleet3 = await connect('/api/v1/events', fleet2.lastEventId);
    const twin3 = await connect(`/api/v1/twins/${twinId}/events`, twin2.lastEventId);
    expect(await metric('twinfold_sse_streams{reader="own"}')).toBe(2);
    await readings(4);
    await settled();

    const records = await readAll([`${d.prefix}device.twins`]);
    const fleetWant = expectedFrom(records, (r) => Number(r.offset) >= fleetStart[r.partition]!);
    const twinWant = expectedFrom(
      records,
      (r) => r.key === twinId && r.partition === twinPartition && Number(r.offset) >= twinStart,
    );
    await fleet3.waitFor('every change', () => received([fleet1, fleet2, fleet3]).length >= fleetWant.length);
    await twin3.waitFor(
      'every change of the twin',
      () => received([twin1, twin2, twin3]).length >= twinWant.length,
    );
    // At least every reading after the first connect; more when the stream opened below the first
    // readings' records (see session 1).
    expect(fleetWant.length).toBeGreaterThanOrEqual(6 + 6 + 3 * REPLAY_BUFFER + 4);
    expect(received([fleet1, fleet2, fleet3]).sort()).toEqual([...fleetWant].sort());
    expect(perTwin(received([fleet1, fleet2, fleet3]))).toEqual(perTwin(fleetWant));
    expect(received([twin1, twin2, twin3])).toEqual(twinWant);
    expect(twinWant.length).toBeGreaterThan(0);

    // Each stream with a consumer of its own has one group with one member; the group is deleted
    // when the client leaves (no empty groups left behind).
    expect((await replayGroups()).filter((g) => g.members > 0)).toHaveLength(2);
    fleet3.close();
    twin3.close();
    await waitFor(
      'own readers stopped',
      async () => (await metric('twinfold_sse_streams{reader="own"}')) === 0,
    );
    await waitFor('every replay group deleted', async () => (await replayGroups()).length === 0);
  });
});
