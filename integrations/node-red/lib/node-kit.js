'use strict';

const { TwinfoldApiError, describe } = require('./client');

/**
 * What every operation node does alike: find its twinfold-server, run its request for each
 * message, show the outcome with node.status, and report failures through node.error(err, msg)
 * (so a Catch node gets them) with msg.statusCode and msg.errorCode set.
 */

/**
 * The part of a Node-RED runtime node the twinfold nodes use.
 * @typedef {object} RuntimeNode
 * @property {(event: string, listener: (...args: any[]) => void) => void} on
 * @property {(status: {fill?: string, shape?: string, text?: string}) => void} status
 * @property {(msg: any) => void} send
 * @property {(text: string) => void} warn
 * @property {(text: string) => void} [debug]
 * @property {boolean} [keepStatus] leave the node's status as the handler set it
 * @property {Record<string, string | undefined>} [credentials]
 * @property {string} [name]
 * @property {() => import('./client').ServerSettings} [settings] on a twinfold-server node
 */

/**
 * The server settings of the node's twinfold-server config node.
 * @param {any} RED
 * @param {string | undefined} serverId
 * @returns {import('./client').ServerSettings | undefined}
 */
function serverSettings(RED, serverId) {
  const server = serverId ? RED.nodes.getNode(serverId) : undefined;
  return server && typeof server.settings === 'function' ? server.settings() : undefined;
}

/**
 * @callback Handler
 * @param {Record<string, any>} msg
 * @param {(msg: any) => void} send
 * @param {import('./client').ServerSettings} server
 * @returns {Promise<void>}
 */

/**
 * Registers the node's input handler.
 * @param {any} RED
 * @param {RuntimeNode} node the node being constructed
 * @param {Record<string, any>} config its configuration
 * @param {Handler} handler
 */
function onInput(RED, node, config, handler) {
  node.on(
    'input',
    /**
     * @param {Record<string, any>} msg
     * @param {(msg: any) => void} send
     * @param {(err?: Error) => void} done
     */
    (msg, send, done) => {
      const server = serverSettings(RED, config.server);
      if (!server) {
        node.status({ fill: 'red', shape: 'ring', text: 'no twinfold-server' });
        done(new Error('no twinfold-server configured'));
        return;
      }
      node.status({ fill: 'blue', shape: 'dot', text: 'requesting' });
      handler(msg, send, server).then(
        () => {
          if (!node.keepStatus) node.status({});
          done();
        },
        (err) => {
          const apiError = err instanceof TwinfoldApiError ? err : undefined;
          msg.statusCode = apiError?.statusCode;
          msg.errorCode = apiError?.code;
          node.status({ fill: 'red', shape: 'ring', text: apiError ? apiError.code : 'error' });
          done(err instanceof Error ? err : new Error(describe(err)));
        },
      );
    },
  );
}

module.exports = { serverSettings, onInput };
