'use strict';

/**
 * The connection to one twinfold deployment: its API URL and bearer token, both kept as
 * credentials (never in flow exports). The operation nodes call `settings()` on it.
 * @param {any} RED the Node-RED runtime API
 */
module.exports = function (RED) {
  /**
   * @this {import('../lib/node-kit').RuntimeNode}
   * @param {Record<string, any>} config
   */
  function TwinfoldServerNode(config) {
    RED.nodes.createNode(this, config);
    this.name = config.name;
    /** @returns {import('../lib/client').ServerSettings} */
    this.settings = () => ({
      url: String(this.credentials?.url ?? '').trim(),
      token: String(this.credentials?.token ?? '').trim() || undefined,
    });
  }
  RED.nodes.registerType('twinfold-server', TwinfoldServerNode, {
    credentials: { url: { type: 'text' }, token: { type: 'password' } },
  });
};
