import { TwinfoldError } from '../../shared/errors';
import type { CommandView, NewCommand } from '../backend';
import type { JsonObject } from '../json';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import {
  ACTION_PATTERN,
  MAX_PRIORITY,
  MAX_TTL_SECONDS,
  parseIntegerInRange,
  parsePattern,
  rejectUnknownFields,
  requireObject,
} from '../validate';
import { API_PREFIX, accepted, twinUrl, type RouteDeps } from './common';

/**
 * The REST shape of a command. `command_id` and `timestamp` are the names of the device-side
 * command message (docs/contract.md, MQTT), which the contract also uses for the REST reply.
 */
export function commandResource(c: CommandView): JsonObject {
  const out: JsonObject = {
    command_id: c.commandId,
    action: c.action,
    parameters: c.parameters,
    priority: c.priority,
    status: c.status,
    timestamp: c.createdAt,
    expiresAt: c.expiresAt,
    updatedAt: c.updatedAt,
  };
  if (c.result !== undefined) out.result = c.result;
  return out;
}

function parseCommand(body: JsonObject): NewCommand {
  rejectUnknownFields(body, ['action', 'parameters', 'priority', 'ttl'], 'request body');
  const command: NewCommand = {
    action: parsePattern(body.action, 'action', ACTION_PATTERN),
    parameters: body.parameters === undefined ? {} : requireObject(body.parameters, 'parameters'),
  };
  if (body.priority !== undefined)
    command.priority = parseIntegerInRange(body.priority, 'priority', 0, MAX_PRIORITY);
  if (body.ttl !== undefined)
    command.ttlMs = parseIntegerInRange(body.ttl, 'ttl (seconds)', 1, MAX_TTL_SECONDS) * 1000;
  return command;
}

const COMMAND_BODY = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', pattern: ACTION_PATTERN.source },
    parameters: { type: 'object' },
    priority: { type: 'integer', minimum: 0, maximum: MAX_PRIORITY, description: 'Higher first' },
    ttl: { type: 'integer', minimum: 1, maximum: MAX_TTL_SECONDS, description: 'Time to live in seconds' },
  },
};

/** The command queue of a twin. */
export function commandRoutes({ backend }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: `${API_PREFIX}/twins/:id/command`,
      operationId: 'queueCommand',
      tag: 'commands',
      summary: 'Queue a command for the device',
      access: 'write',
      body: {
        description: '`action` required; `parameters`, `priority` (0..9), `ttl` (s) optional',
        schema: COMMAND_BODY,
      },
      response: {
        status: 202,
        description: 'Queued; see `command_id`',
        schema: ref('Command'),
        headers: ['Location'],
      },
      errors: ['LIFECYCLE_CONFLICT'],
      async handle({ params, body }) {
        const queued = await backend.queueCommand(params.id!, parseCommand(body));
        const location = `${twinUrl(params.id!)}/commands/${encodeURIComponent(queued.commandId)}`;
        return accepted(commandResource(queued), { Location: location });
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/commands`,
      operationId: 'listCommands',
      tag: 'commands',
      summary: "The twin's commands, newest first",
      access: 'read',
      response: { status: 200, description: 'The command queue', schema: ref('CommandList') },
      async handle({ params }) {
        const commands = await backend.listCommands(params.id!);
        if (!commands) throw new TwinfoldError('TWIN_NOT_FOUND', `twin ${params.id} not found`);
        return { data: { count: commands.length, commands: commands.map(commandResource) } };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/commands/:cid`,
      operationId: 'getCommand',
      tag: 'commands',
      summary: "One command's status",
      access: 'read',
      response: { status: 200, description: 'The command', schema: ref('Command') },
      errors: ['COMMAND_NOT_FOUND'],
      async handle({ params }) {
        const command = await backend.getCommand(params.id!, params.cid!);
        if (!command) {
          throw new TwinfoldError(
            'COMMAND_NOT_FOUND',
            `command ${params.cid} of twin ${params.id} not found`,
          );
        }
        return { data: commandResource(command) };
      },
    },
  ];
}
