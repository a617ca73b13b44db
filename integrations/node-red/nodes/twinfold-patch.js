'use strict';

const { TwinfoldApiError, request, twinPath } = require('../lib/client');
const { onInput } = require('../lib/node-kit');
const { twinIdOf, ifMatchHeader } = require('../lib/params');

/**
 * Merge-patches a twin's desired state with msg.payload (RFC 7386: null deletes a field).
 * Output 1: accepted (msg.payload is the API's answer, with the version the patch produced).
 * Output 2: 412 VERSION_CONFLICT, when msg.ifMatch (or the node's "use msg.version") named a
 * version the twin no longer has; msg.payload is the error, so a flow can read the twin again.
 * @param {any} RED
 */
module.exports = function (RED) {
  /**
   * @this {import('../lib/node-kit').RuntimeNode}
   * @param {Record<string, any>} config
   */
  function TwinfoldPatchNode(config) {
    RED.nodes.createNode(this, config);
    onInput(RED, this, config, async (msg, send, server) => {
      const id = twinIdOf(config.twinId, msg);
      const patch = msg.payload;
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
        throw new Error('msg.payload must be an object: the merge patch of the desired state');
      const ifMatch = ifMatchHeader(msg.ifMatch ?? (config.useVersion ? msg.version : undefined));
      /** @type {Record<string, string>} */
      const headers = {};
      if (ifMatch !== undefined) headers['if-match'] = ifMatch;
      if (typeof msg.reason === 'string' && msg.reason !== '') headers['x-change-reason'] = msg.reason;
      msg.twinId = id;
      try {
        const answer = await request(server, 'PATCH', twinPath(id, '/desired'), { body: patch, headers });
        msg.payload = answer.data;
        msg.statusCode = answer.statusCode;
        send([msg, null]);
      } catch (err) {
        if (!(err instanceof TwinfoldApiError) || err.statusCode !== 412) throw err;
        msg.statusCode = 412;
        msg.errorCode = err.code;
        msg.payload = { code: err.code, message: err.message, details: err.details, patch };
        send([null, msg]);
      }
    });
  }
  RED.nodes.registerType('twinfold-patch', TwinfoldPatchNode);
};
