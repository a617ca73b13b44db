'use strict';

const { request, twinPath } = require('../lib/client');
const { onInput } = require('../lib/node-kit');
const { twinIdOf, firstSet } = require('../lib/params');

const FINISHED = new Set(['acknowledged', 'failed', 'expired']);

/**
 * The command to queue: the node's action with msg.payload as its parameters, or, when the node
 * names no action, msg.payload as the whole request `{action, parameters?, priority?, ttl?}`.
 * @param {Record<string, any>} config
 * @param {Record<string, any>} msg
 */
function commandOf(config, msg) {
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

/**
 * Queues a command for a device (POST /api/v1/twins/{id}/command). Without "wait for the ack" it
 * sends the queued command (status `pending`) on output 1. With it, it follows the command status
 * endpoint until the command is finished: `acknowledged` goes to output 1; `failed`, `expired`
 * or no answer within the wait (msg.timedOut) to output 2.
 * @param {any} RED
 */
module.exports = function (RED) {
  /** @param {Record<string, any>} config */
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
        body: commandOf(config, msg),
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
