'use strict';

const { request, twinPath } = require('../lib/client');
const { onInput } = require('../lib/node-kit');
const { twinIdOf, timeParam, firstSet, filterQuery } = require('../lib/params');

const MAX_PAGES = 1000;

/**
 * What a twin was, and aggregates:
 * - `telemetry`: its readings in a time range (GET /twins/{id}/telemetry), every page;
 * - `aggregate`: one field in time buckets (GET /twins/{id}/telemetry/aggregate);
 * - `history`: its changes version by version (GET /twins/{id}/history), every page;
 * - `fleet`: counts and aggregates of the twins as they are now (GET /twins/aggregate).
 * Settings come from the node, each overridden by the msg property of the same name.
 * @param {any} RED
 */
module.exports = function (RED) {
  /**
   * @this {import('../lib/node-kit').RuntimeNode}
   * @param {Record<string, any>} config
   */
  function TwinfoldHistoryNode(config) {
    RED.nodes.createNode(this, config);
    onInput(RED, this, config, async (msg, send, server) => {
      /** @param {string} name */
      const setting = (name) => firstSet(msg[name], config[name]);
      const mode = setting('mode') ?? 'telemetry';
      const range = { start: timeParam(setting('start')), end: timeParam(setting('end')) };
      if (mode === 'fleet') {
        const query = { ...filterQuery({}, msg.filter), groupBy: setting('groupBy'), fn: setting('fn') };
        msg.payload = (await request(server, 'GET', '/api/v1/twins/aggregate', { query })).data;
        send(msg);
        return;
      }
      const id = twinIdOf(config.twinId, msg);
      msg.twinId = id;
      if (mode === 'aggregate') {
        const query = { ...range, field: setting('field'), bucket: setting('bucket'), fn: setting('fn') };
        msg.payload = (await request(server, 'GET', twinPath(id, '/telemetry/aggregate'), { query })).data;
        send(msg);
        return;
      }
      /** @type {Record<string, unknown>} */
      let query;
      /** @type {'telemetry' | 'changes'} */
      let list;
      if (mode === 'telemetry') {
        query = { ...range, fields: setting('fields'), order: setting('order'), limit: setting('limit') };
        list = 'telemetry';
      } else if (mode === 'history') {
        query = { ...range, kind: setting('kind'), order: setting('order'), limit: setting('limit') };
        list = 'changes';
      } else {
        throw new Error(`unknown mode ${mode}: telemetry, aggregate, history or fleet`);
      }
      const path = twinPath(id, mode === 'telemetry' ? '/telemetry' : '/history');
      /** @type {unknown[]} */
      const items = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const data = /** @type {Record<string, any>} */ (
          (await request(server, 'GET', path, { query })).data
        );
        items.push(...data[list]);
        if (!data.nextCursor) break;
        query.cursor = data.nextCursor;
      }
      msg.payload = { twin_id: id, count: items.length, [list]: items };
      send(msg);
    });
  }
  RED.nodes.registerType('twinfold-history', TwinfoldHistoryNode);
};
