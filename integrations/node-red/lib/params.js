'use strict';

/** What the operation nodes read from their configuration and from the incoming message. */

/**
 * The twin a message is about: the node's own setting, else msg.twinId, else msg.topic.
 * @param {string | undefined} configured
 * @param {Record<string, unknown>} msg
 * @returns {string}
 */
function twinIdOf(configured, msg) {
  const candidates = [configured, msg.twinId, msg.topic];
  for (const value of candidates) if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new Error('no twin id: set it on the node, or send msg.twinId (or msg.topic)');
}

const UNITS_MS = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };

/**
 * A time for the API's start/end/at parameters. The API takes ISO-8601 and epoch seconds or
 * milliseconds as they are; the nodes also take `now` and relative times such as `-15m` or `-2h`
 * (converted to epoch milliseconds when the message is handled), and Date objects.
 * @param {unknown} value
 * @param {number} [now] epoch ms
 * @returns {string | undefined}
 */
function timeParam(value, now = Date.now()) {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return String(value.getTime());
  if (typeof value === 'number') return String(value);
  const text = String(value).trim();
  if (text === 'now') return String(now);
  const relative = /^-(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (relative) {
    const unit = /** @type {keyof typeof UNITS_MS} */ (relative[2]);
    return String(Math.round(now - Number(relative[1]) * UNITS_MS[unit]));
  }
  return text;
}

/**
 * The list API's filters (type, status, lifecycle, health, alert and attr.KEY) from the node's
 * settings, overridden field by field by msg.filter. `attributes` on either is a map of
 * attribute name to value, sent as attr.KEY=VALUE.
 * @param {Record<string, unknown>} configured
 * @param {unknown} fromMsg
 * @returns {Record<string, string>}
 */
function filterQuery(configured, fromMsg) {
  const override =
    fromMsg !== null && typeof fromMsg === 'object' ? /** @type {Record<string, unknown>} */ (fromMsg) : {};
  /** @type {Record<string, string>} */
  const query = {};
  for (const source of [configured, override]) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined || value === null || value === '') continue;
      if (key === 'attributes' && typeof value === 'object') {
        for (const [name, v] of Object.entries(value))
          if (v !== undefined && v !== null) query[`attr.${name}`] = String(v);
      } else if (
        ['type', 'status', 'lifecycle', 'health', 'alert'].includes(key) ||
        key.startsWith('attr.')
      ) {
        query[key] = String(value);
      }
    }
  }
  return query;
}

/**
 * Attribute filters written one per line as KEY=VALUE (the node's edit dialog).
 * @param {string | undefined} text
 * @returns {Record<string, string>}
 */
function parseAttributeLines(text) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const line of String(text ?? '').split(/\r?\n/)) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/**
 * The first of the values that is set (msg first, then the node's setting).
 * @param {...unknown} values
 */
function firstSet(...values) {
  return values.find((v) => v !== undefined && v !== null && v !== '');
}

/**
 * The If-Match header for msg.ifMatch: a version number (or its digits) becomes the strong ETag
 * `"17"`; a string already quoted (or `*`) is sent as it is.
 * @param {unknown} value
 * @returns {string | undefined}
 */
function ifMatchHeader(value) {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  return /^\d+$/.test(text) ? `"${text}"` : text;
}

/**
 * The command to queue: the node's action with msg.payload as its parameters, or, when the node
 * names no action, msg.payload as the whole request `{action, parameters?, priority?, ttl?}`.
 * @param {Record<string, any>} config
 * @param {Record<string, any>} msg
 */
function commandRequest(config, msg) {
  const payload = msg.payload !== null && typeof msg.payload === 'object' ? msg.payload : {};
  const action = firstSet(msg.action, config.action, payload.action);
  if (typeof action !== 'string')
    throw new Error('no action: set it on the node, msg.action or msg.payload.action');
  const named = firstSet(msg.action, config.action) !== undefined;
  /** @type {Record<string, unknown>} */
  const body = { action, parameters: named ? payload : (payload.parameters ?? {}) };
  const priority = firstSet(msg.priority, config.priority, named ? undefined : payload.priority);
  const ttl = firstSet(msg.ttl, config.ttl, named ? undefined : payload.ttl);
  if (priority !== undefined) body.priority = Number(priority);
  if (ttl !== undefined) body.ttl = Number(ttl);
  return body;
}

module.exports = {
  twinIdOf,
  timeParam,
  filterQuery,
  parseAttributeLines,
  firstSet,
  ifMatchHeader,
  commandRequest,
};
