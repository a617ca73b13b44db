'use strict';

const { request, twinPath } = require('../lib/client');
const { onInput } = require('../lib/node-kit');
const { twinIdOf, firstSet, commandRequest } = require('../lib/params');

const FINISHED = new Set(['acknowledged', 'failed', 'expired']);

/**
 * Queues a command for a device (POST /api/v1/twins/{id}/command). Without "wait for the ack" it
 * sends the queued command (status `pending`) on output 1. With it, it follows the command status
 * endpoint until the command is finished: `acknowledged` goes to output 1; `failed`, `expired`
 * or no answer within the wait (msg.timedOut) to output 2.
 * @param {any} RED
 */
module.exports = function (RED) {
  /**
   * @this {import('../lib/node-kit').RuntimeNode}
   * @param {Record<string, any>} config
   */
  function TwinfoldCommandNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.keepStatus = true;
    let closed = false;
    /** @type {Set<NodeJS.Timeout>} */
    const timers = new Set();
    /** @param {number} ms */
    const sleep = (ms) =>
      new Promise((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve(undefined);
        }, ms);
        timers.add(t);
      });
    node.on('close', () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
    });

    onInput(RED, node, config, async (msg, send, server) => {
      const id = twinIdOf(config.twinId, msg);
      const headers =
        typeof msg.reason === 'string' && msg.reason !== '' ? { 'x-change-reason': msg.reason } : undefined;
      const queued = await request(server, 'POST', twinPath(id, '/command'), {
        body: commandRequest(config, msg),
        headers,
      });
      const command = /** @type {{command_id: string, status: string}} */ (queued.data);
      msg.twinId = id;
      msg.commandId = command.command_id;
      msg.payload = command;
      const wait = msg.waitForAck ?? config.waitForAck === true;
      if (!wait) {
        node.status({ fill: 'green', shape: 'dot', text: `queued ${command.command_id.slice(0, 8)}` });
        send([msg, null]);
        return;
      }
      node.status({
        fill: 'yellow',
        shape: 'ring',
        text: `waiting for ack ${command.command_id.slice(0, 8)}`,
      });
      const timeoutMs = Number(firstSet(msg.ackTimeout, config.ackTimeout) ?? 30) * 1000;
      const pollMs = Math.max(100, Number(config.pollMs) || 500);
      const deadline = Date.now() + timeoutMs;
      const path = twinPath(id, `/commands/${encodeURIComponent(command.command_id)}`);
      let view = command;
      while (!closed && !FINISHED.has(view.status) && Date.now() < deadline) {
        await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
        view = /** @type {typeof command} */ ((await request(server, 'GET', path)).data);
      }
      msg.payload = view;
      if (view.status === 'acknowledged') {
        node.status({ fill: 'green', shape: 'dot', text: 'acknowledged' });
        send([msg, null]);
        return;
      }
      msg.timedOut = !FINISHED.has(view.status);
      node.status({
        fill: 'red',
        shape: 'ring',
        text: msg.timedOut ? `no ack (${view.status})` : view.status,
      });
      if (!closed) send([null, msg]);
    });
  }
  RED.nodes.registerType('twinfold-command', TwinfoldCommandNode);
};
