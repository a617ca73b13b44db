'use strict';

const { request, twinPath } = require('../lib/client');
const { onInput } = require('../lib/node-kit');
const { twinIdOf, timeParam, firstSet } = require('../lib/params');

/**
 * Reads one twin: msg.payload becomes the twin document (or, with "part", its state,
 * traits or command queue). msg.version is its version, usable as msg.ifMatch for a patch.
 * @param {any} RED
 */
module.exports = function (RED) {
  /**
   * @this {import('../lib/node-kit').RuntimeNode}
   * @param {Record<string, any>} config
   */
  function TwinfoldGetNode(config) {
    RED.nodes.createNode(this, config);
    onInput(RED, this, config, async (msg, send, server) => {
      const id = twinIdOf(config.twinId, msg);
      const part = String(firstSet(msg.part, config.part) ?? 'twin');
      const paths = { twin: '', state: '/state', traits: '/traits', commands: '/commands' };
      if (!(part in paths)) throw new Error(`unknown part ${part}: twin, state, traits or commands`);
      const at = part === 'twin' ? timeParam(msg.at) : undefined;
      const answer = await request(
        server,
        'GET',
        twinPath(id, paths[/** @type {keyof typeof paths} */ (part)]),
        {
          query: { at },
        },
      );
      msg.twinId = id;
      msg.payload = answer.data;
      const etag = /^"(\d+)"$/.exec(answer.headers.etag ?? '');
      if (etag) msg.version = Number(etag[1]);
      send(msg);
    });
  }
  RED.nodes.registerType('twinfold-get', TwinfoldGetNode);
};
