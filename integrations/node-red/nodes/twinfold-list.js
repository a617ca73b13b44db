'use strict';

const { request } = require('../lib/client');
const { onInput } = require('../lib/node-kit');
const { filterQuery, parseAttributeLines, firstSet } = require('../lib/params');

/** The most pages "all pages" follows, so a runaway fleet cannot hold a flow forever. */
const MAX_PAGES = 1000;

/**
 * Lists twins with the list API's filters (type, status, lifecycle, health, alert, attr.KEY):
 * msg.payload becomes `{count, twins, nextCursor}`, one page or, with "all pages", every page.
 * @param {any} RED
 */
module.exports = function (RED) {
  /**
   * @this {import('../lib/node-kit').RuntimeNode}
   * @param {Record<string, any>} config
   */
  function TwinfoldListNode(config) {
    RED.nodes.createNode(this, config);
    const configured = {
      type: config.twinType,
      status: config.status,
      lifecycle: config.lifecycle,
      health: config.health,
      alert: config.alert,
      attributes: parseAttributeLines(config.attributes),
    };
    onInput(RED, this, config, async (msg, send, server) => {
      const query = {
        ...filterQuery(configured, msg.filter),
        limit: firstSet(msg.limit, config.limit),
        cursor: msg.cursor,
      };
      const allPages = msg.allPages ?? config.allPages === true;
      /** @type {unknown[]} */
      const twins = [];
      /** @type {string | null} */
      let nextCursor = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await request(server, 'GET', '/api/v1/twins', { query });
        const data = /** @type {{twins: unknown[], nextCursor: string | null}} */ (answer.data);
        twins.push(...data.twins);
        nextCursor = data.nextCursor ?? null;
        if (!allPages || nextCursor === null) break;
        query.cursor = nextCursor;
      }
      msg.payload = { count: twins.length, twins, nextCursor };
      send(msg);
    });
  }
  RED.nodes.registerType('twinfold-list', TwinfoldListNode);
};
