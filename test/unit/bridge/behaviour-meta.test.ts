import type { IPublishPacket } from 'mqtt';
import { publishMeta } from '../../../bridge/behaviour-meta';
import { parseBrokerLog } from '../../../bridge/broker-log';
import { toUplinkRecord, type InboundMessage } from '../../../bridge/uplink-record';
import { decodeBehaviour } from '../../../shared/inputs';
import { topicNames } from '../../../shared/topics';
import { defaultUplinkRoutes } from '../../support/uplink-routes';

function packet(props: Record<string, string>, dup = false): IPublishPacket {
  return {
    cmd: 'publish',
    topic: 'device/d1/telemetry',
    payload: Buffer.from('{}'),
    qos: 1,
    dup,
    retain: false,
    properties: { userProperties: props },
  };
}

describe('publishMeta (labels only from labelling client ids)', () => {
  const sims = new Set(['sim-a']);
  it('carries the label of a listed client id', () => {
    const m = publishMeta(
      packet({ 'twinfold-client-id': 'sim-a', 'twinfold-label': 'beaconing' }, true),
      sims,
    );
    expect(m).toEqual({ dup: true, clientId: 'sim-a', label: 'beaconing', labelDropped: false });
  });
  it('drops the label of any other client id, and every label when labelling is off', () => {
    const forged = packet({ 'twinfold-client-id': 'real-device', 'twinfold-label': 'beaconing' });
    expect(publishMeta(forged, sims)).toEqual({ dup: false, clientId: 'real-device', labelDropped: true });
    const sim = packet({ 'twinfold-client-id': 'sim-a', 'twinfold-label': 'beaconing' });
    expect(publishMeta(sim, new Set())).toMatchObject({ labelDropped: true });
    expect(publishMeta(sim, new Set()).label).toBeUndefined();
    const noId = packet({ 'twinfold-label': 'beaconing' });
    expect(publishMeta(noId, sims).label).toBeUndefined();
  });
  it('drops a malformed label', () => {
    const bad = packet({ 'twinfold-client-id': 'sim-a', 'twinfold-label': 'Not A Label' });
    expect(publishMeta(bad, sims)).toMatchObject({ labelDropped: true });
  });
});

describe('behaviour headers on uplink records', () => {
  const names = topicNames({ topicPrefix: '' });
  const routes = defaultUplinkRoutes(names);
  const limits = { maxBytes: 1000, maxDepth: 8, maxKeys: 50 };
  const base: InboundMessage = {
    topic: 'device/d1/telemetry',
    payload: Buffer.from('{"timestamp":1700000000000,"t":1}'),
    qos: 1,
    retain: false,
    receivedAt: 1_700_000_000_250,
    messageId: 'm',
  };
  it('records size, DUP, device time, client id and label, and the processor reads them back', () => {
    const msg = { ...base, dup: true, clientId: 'sim-a', label: 'flood' };
    const r = toUplinkRecord(msg, routes, names.dlq, limits);
    expect(r.message.headers).toMatchObject({
      'twinfold.payload_bytes': String(base.payload.length),
      'twinfold.dup': 'true',
      'twinfold.device_ts': '1700000000000',
      'twinfold.client_id': 'sim-a',
      'twinfold.label': 'flood',
    });
    const headers = r.message.headers as Record<string, string>;
    expect(decodeBehaviour(headers, 0)).toEqual({
      bytes: base.payload.length,
      qos: 1,
      dup: true,
      retain: false,
      deviceTs: 1_700_000_000_000,
      receivedAt: 1_700_000_000_250,
      label: 'flood',
    });
  });
  it('has no device time when the payload has none, and no label unless given', () => {
    const r = toUplinkRecord({ ...base, payload: Buffer.from('{"t":1}') }, routes, names.dlq, limits);
    expect(r.message.headers).not.toHaveProperty('twinfold.device_ts');
    expect(r.message.headers).not.toHaveProperty('twinfold.label');
  });
  it('reads malformed headers as absent', () => {
    expect(
      decodeBehaviour({ 'twinfold.payload_bytes': 'x', 'mqtt.qos': '7', 'twinfold.label': 'A B' }, 12),
    ).toEqual({
      bytes: 12,
      qos: 0,
      dup: false,
      retain: false,
    });
  });
});

describe('parseBrokerLog (Mosquitto 2.0 log lines on $SYS/broker/log/N)', () => {
  it('reads connects, disconnects and refusals', () => {
    expect(
      parseBrokerLog(
        "1796311692: New client connected from 127.0.0.1:54268 as myclient (p2, c1, k60, u'u').",
      ),
    ).toEqual({
      kind: 'connect',
      clientId: 'myclient',
      username: 'u',
    });
    expect(parseBrokerLog('1796311692: Client <unknown> disconnected, not authorised.')).toEqual({
      kind: 'refused',
      reason: 'not authorised',
    });
    expect(parseBrokerLog('1796311692: Client myclient disconnected.')).toEqual({
      kind: 'disconnect',
      clientId: 'myclient',
      reason: 'disconnected',
    });
    expect(parseBrokerLog('1: Socket error on client c7, disconnecting.')).toEqual({
      kind: 'disconnect',
      clientId: 'c7',
      reason: 'socket error',
    });
    expect(parseBrokerLog('1: New connection from 127.0.0.1:54262 on port 18931.')).toBeUndefined();
  });
});
