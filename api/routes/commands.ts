import { TwinfoldError } from '../../shared/errors';
import { DEFAULT_COMMAND_PRIORITY } from '../../topology/twin';
import type { CommandRequest } from '../backend';
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

function parseCommand(body: JsonObject): CommandRequest {
  rejectUnknownFields(body, ['action', 'parameters', 'priority', 'ttl'], 'request body');
  const command: CommandRequest = {
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
    priority: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_PRIORITY,
      default: DEFAULT_COMMAND_PRIORITY,
      description: 'Higher first',
    },
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
        description:
          '`action` required; `parameters`, `priority` (0..9, default 0), `ttl` (s, default COMMAND_TTL_MS) optional',
        schema: COMMAND_BODY,
      },
      response: {
        status: 202,
        description:
          'Queued (`pending`, a UUID `command_id`); refused at once if the device could never receive it',
        schema: ref('Command'),
        headers: ['Location'],
      },
      // LIMIT_EXCEEDED / PAYLOAD_TOO_LARGE: the bridge could never deliver the command.
      errors: ['TWIN_NOT_FOUND', 'LIFECYCLE_CONFLICT', 'LIMIT_EXCEEDED', 'PAYLOAD_TOO_LARGE'],
      async handle({ params, body }) {
        const queued = await backend.queueCommand(params.id!, parseCommand(body));
        const location = `${twinUrl(params.id!)}/commands/${encodeURIComponent(queued.command_id)}`;
        return accepted(queued, { Location: location });
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
        return { data: { count: commands.length, commands } };
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
        return { data: command };
      },
    },
  ];
}
