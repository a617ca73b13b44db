import type { IHeaders } from 'kafkajs';
import type { KafkaRecord } from '../../bridge/kafka-writer';
import { TwinfoldError } from '../../shared/errors';
import { decodeInput, decodeKey, type DecodeLimits } from '../../shared/inputs';
import { getOwn, isPlainObject, parseJsonSafely } from '../../shared/safe-json';
import type { TopicNames } from '../../shared/topics';
import { devicePayload } from './device-payload';
import { headerText, headerTexts, integerHeader, mediaType } from './headers';
import type { HonoSource } from './hono-topics';
import { honoTwinId } from './twin-id';

export const EMPTY_NOTIFICATION = 'application/vnd.eclipse-hono-empty-notification';
export const CONNECTION_NOTIFICATION = 'application/vnd.eclipse-hono-dc-notification+json';

/** The parts of a consumed Kafka record the mapping reads (kafkajs's KafkaMessage has them). */
export interface HonoMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp: string;
}

export interface UplinkContext {
  names: Pick<TopicNames, 'telemetry' | 'state' | 'status' | 'acks'>;
  eventInput: 'telemetry' | 'state';
  /** Content types read as JSON besides application/json and application/*+json (HONO_JSON_TYPES). */
  jsonTypes?: ReadonlySet<string>;
  limits: DecodeLimits;
  /** The wall clock, only to check a record as the processor will (its record time is later). */
  nowMs: number;
}

/** What becomes of a device's `ttd` window: go offline at `offlineAtMs`, or no pending offline (null). */
export interface OfflineTimer {
  twinId: string;
  offlineAtMs: number | null;
}

export interface UplinkOutcome {
  records: KafkaRecord[];
  timer?: OfflineTimer;
}

/** A Hono device record's identity and time, from its headers and key. */
export interface HonoDevice {
  deviceId: string;
  twinId: string;
  creationTimeMs: number;
}

/** Hono's headers on the records the adapter writes, each prefixed `hono.` (docs/contract.md). */
export function carriedHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headerTexts(headers)).map(([k, v]) => [`hono.${k}`, v]));
}

/**
 * `device_id` (required; the key, when there is one, must name the same device), the twin id
 * `<tenant>:<device>`, and `creation-time` (epoch ms; the record's own timestamp when absent).
 */
export function honoDevice(tenant: string, message: HonoMessage): HonoDevice {
  const header = headerText(message.headers, 'device_id');
  if (header === undefined || header === '')
    throw new TwinfoldError('INVALID_ID', 'Hono record has no device_id header');
  if (message.key !== null && message.key.length > 0) {
    let key: string;
    try {
      key = decodeKey(message.key);
    } catch {
      key = message.key.toString('utf8');
    }
    if (key !== header)
      throw new TwinfoldError(
        'DEVICE_ID_MISMATCH',
        `Hono record key ${JSON.stringify(key.slice(0, 64))} differs from its device_id header`,
      );
  }
  const twinId = honoTwinId(tenant, header);
  const creationTimeMs =
    integerHeader(message.headers, 'creation-time', 0, 253402300799999) ?? Number(message.timestamp);
  return { deviceId: header, twinId, creationTimeMs };
}

/**
 * A device.status record, checked with the one decoder. It carries no `timestamp`: it is timed by
 * its record time, the clock the processor also times a data message's implicit `online` by, so
 * a device's connection changes keep Hono's order also when the adapter works off a backlog.
 */
export function statusRecord(
  ctx: Pick<UplinkContext, 'names' | 'limits' | 'nowMs'>,
  twinId: string,
  status: 'online' | 'offline',
  headers: Record<string, string>,
): KafkaRecord {
  const value = Buffer.from(JSON.stringify({ status }), 'utf8');
  decodeInput('status', twinId, value, ctx.nowMs, ctx.limits);
  return { topic: ctx.names.status, message: { key: twinId, value, headers } };
}

function isJson(type: string, extra: ReadonlySet<string> | undefined): boolean {
  return (
    type === 'application/json' ||
    (type.startsWith('application/') && type.endsWith('+json')) ||
    extra?.has(type) === true
  );
}

/**
 * `ttd` (Hono: seconds the device stays ready for commands; -1 until further notice, 0 not any
 * more): -1 and 0 end any pending offline, a positive one schedules offline at creation-time + ttd.
 * A window already over (a backlog) is closed at once: `offline` follows in the same records.
 */
function applyTtd(
  outcome: UplinkOutcome,
  ctx: UplinkContext,
  device: HonoDevice,
  ttd: number | undefined,
  headers: Record<string, string>,
): UplinkOutcome {
  if (ttd === undefined) return outcome;
  const offlineAtMs = ttd > 0 ? device.creationTimeMs + ttd * 1000 : null;
  if (offlineAtMs !== null && offlineAtMs <= ctx.nowMs) {
    const offline = statusRecord(ctx, device.twinId, 'offline', headers);
    return { records: [...outcome.records, offline], timer: { twinId: device.twinId, offlineAtMs: null } };
  }
  return { ...outcome, timer: { twinId: device.twinId, offlineAtMs } };
}

/** A connection notification's `cause`: `connected` or `disconnected`. */
function connectionCause(value: Buffer | null, ctx: UplinkContext): 'online' | 'offline' {
  const body = parseJsonSafely(value ?? Buffer.alloc(0), ctx.limits);
  const cause = isPlainObject(body) ? getOwn(body, 'cause') : undefined;
  if (cause === 'connected') return 'online';
  if (cause === 'disconnected') return 'offline';
  throw new TwinfoldError(
    'VALIDATION_ERROR',
    'Hono connection notification cause must be connected or disconnected',
  );
}

/**
 * One record of `hono.telemetry.<tenant>` or `hono.event.<tenant>` as twinfold inputs, keyed by the
 * twin id (docs/contract.md, "Eclipse Hono"). Pure; throws TwinfoldError for a dead letter.
 */
export function mapUplink(source: HonoSource, message: HonoMessage, ctx: UplinkContext): UplinkOutcome {
  const device = honoDevice(source.tenant, message);
  const type = mediaType(message.headers);
  if (type === undefined)
    throw new TwinfoldError('UNSUPPORTED_MEDIA_TYPE', 'Hono record has no content-type header');
  const encoding = headerText(message.headers, 'content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity')
    throw new TwinfoldError(
      'UNSUPPORTED_MEDIA_TYPE',
      `content-encoding ${JSON.stringify(encoding.slice(0, 64))} is not supported`,
    );
  const ttd = integerHeader(message.headers, 'ttd', -1, 0x7fffffff);
  const headers = carriedHeaders(message.headers);
  if (type === EMPTY_NOTIFICATION) {
    if (ttd === undefined) return { records: [] };
    const status = ttd === 0 ? 'offline' : 'online';
    return applyTtd(
      { records: [statusRecord(ctx, device.twinId, status, headers)] },
      ctx,
      device,
      ttd,
      headers,
    );
  }
  if (type === CONNECTION_NOTIFICATION) {
    const status = connectionCause(message.value, ctx);
    const record = statusRecord(ctx, device.twinId, status, headers);
    return { records: [record], timer: { twinId: device.twinId, offlineAtMs: null } };
  }
  if (!isJson(type, ctx.jsonTypes)) {
    throw new TwinfoldError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Hono content-type ${JSON.stringify(type.slice(0, 128))} is not JSON (application/json or application/*+json)`,
    );
  }
  const kind = source.channel === 'event' ? ctx.eventInput : 'telemetry';
  const value = devicePayload(
    kind,
    device.twinId,
    device.deviceId,
    message.value,
    device.creationTimeMs,
    ctx.limits,
    ctx.nowMs,
  );
  const topic = kind === 'state' ? ctx.names.state : ctx.names.telemetry;
  // A data message proves the device online by itself (no status record); its ttd only moves the
  // end of the window (HTTP devices send one with every request that waits for commands).
  const outcome = { records: [{ topic, message: { key: device.twinId, value, headers } }] };
  return ttd === 0
    ? { ...outcome, timer: { twinId: device.twinId, offlineAtMs: null } }
    : applyTtd(outcome, ctx, device, ttd, headers);
}
