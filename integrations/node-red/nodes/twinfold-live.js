'use strict';

const { serverSettings } = require('../lib/node-kit');
const { filterQuery, parseAttributeLines } = require('../lib/params');
const { LiveStream } = require('../lib/sse');

/**
 * Live changes of one twin (GET /api/v1/twins/{id}/events) or of the fleet's matching twins
 * (GET /api/v1/events with the list filters), as Server-Sent Events. One message per change:
 * msg.topic is the twin id, msg.payload the twin document (`{id}` for a deletion), msg.event
 * `twin` or `deleted`, msg.eventId the stream position. After a disconnect it reconnects with
 * Last-Event-ID, so every change after the last one it sent arrives exactly once. Its status
 * shows connected, reconnecting or the error.
 * @param {any} RED
 */
module.exports = function (RED) {
  /**
   * @this {import('../lib/node-kit').RuntimeNode}
   * @param {Record<string, any>} config
   */
  function TwinfoldLiveNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const server = serverSettings(RED, config.server);
    if (!server) {
      node.status({ fill: 'red', shape: 'ring', text: 'no twinfold-server' });
      return;
    }
    const twinId = String(config.twinId ?? '').trim();
    const fleet = config.scope === 'fleet';
    if (!fleet && twinId === '') {
      node.status({ fill: 'red', shape: 'ring', text: 'no twin id' });
      return;
    }
    const path = fleet ? '/api/v1/events' : `/api/v1/twins/${encodeURIComponent(twinId)}/events`;
    const query = fleet
      ? filterQuery(
          {
            type: config.twinType,
            status: config.status,
            lifecycle: config.lifecycle,
            attributes: parseAttributeLines(config.attributes),
          },
          undefined,
        )
      : {};
    let received = 0;
    const stallSeconds = Number(config.stallTimeout);
    const stream = new LiveStream({
      server,
      path,
      query,
      stallMs: Number.isFinite(stallSeconds) && stallSeconds > 0 ? stallSeconds * 1000 : 60000,
      onEvent: (event) => {
        let payload;
        try {
          payload = JSON.parse(event.data);
        } catch {
          node.warn(`not JSON: ${event.data.slice(0, 200)}`);
          return;
        }
        received += 1;
        node.send({ topic: payload?.id, payload, event: event.event, eventId: event.id });
      },
      onState: (state, detail) => {
        if (state === 'connected') node.status({ fill: 'green', shape: 'dot', text: 'connected' });
        else if (state === 'error') {
          node.status({ fill: 'red', shape: 'ring', text: detail.slice(0, 60) });
          node.warn(detail);
        } else node.status({ fill: 'yellow', shape: 'ring', text: state });
        node.debug?.(`${state}: ${detail} (${received} changes so far)`);
      },
    });
    stream.start();
    node.on('close', () => stream.stop());
  }
  RED.nodes.registerType('twinfold-live', TwinfoldLiveNode);
};
