import { TwinfoldError } from '../../shared/errors';
import type { EventSource } from '../events/event-source';
import type { StreamRequest } from '../events/event-streams';
import type { HeaderParamSpec, ResponseSpec, RouteResult, RouteSpec } from '../route';
import { parseTwinFilter } from '../validate';
import { API_PREFIX, LIST_QUERY, type RouteDeps } from './common';

const LAST_EVENT_ID: HeaderParamSpec = {
  name: 'Last-Event-ID',
  description:
    'Resume after this event (browsers send it when they reconnect): every change after it is ' +
    'sent exactly once. Absent: from now. An id that is malformed, names another partition count, ' +
    'or lies beyond the end of device.twins is 400 VALIDATION_ERROR.',
  schema: { type: 'string' },
};

const EVENT_STREAM_DOC =
  'Server-Sent Events. The first block carries only `retry:` and `id:` (the starting position). ' +
  'Then `event: twin` with the twin document as `data`, or `event: deleted` with `{"id"}`, each ' +
  'with an `id:` that is a position in device.twins; `: keepalive` comments keep the stream open.';

function eventStreamResponse(description: string): ResponseSpec {
  return { status: 200, description, schema: { type: 'string' }, contentType: 'text/event-stream' };
}

async function openStream(events: EventSource | undefined, request: StreamRequest): Promise<RouteResult> {
  if (!events) {
    throw new TwinfoldError('NOT_READY', 'live events are not available on this instance', {
      retriable: true,
    });
  }
  return { stream: await events.open(request) };
}

function lastEventId(header: string | undefined): Pick<StreamRequest, 'lastEventId'> {
  return header === undefined || header.trim() === '' ? {} : { lastEventId: header };
}

/** Live changes of one twin and of a filtered fleet, as Server-Sent Events. */
export function eventRoutes({ events }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/events`,
      operationId: 'twinEvents',
      tag: 'events',
      summary: "Live changes of one twin (Server-Sent Events); ids are '<partition>:<offset>'",
      description: `${EVENT_STREAM_DOC} The twin need not exist yet: its creation is a change too.`,
      access: 'read',
      headers: [LAST_EVENT_ID],
      response: eventStreamResponse('The event stream of the twin'),
      async handle({ req, params }) {
        const selector = { kind: 'twin', id: params.id! } as const;
        return openStream(events, { selector, ...lastEventId(req.get('Last-Event-ID')) });
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/events`,
      operationId: 'fleetEvents',
      tag: 'events',
      summary: 'Live changes of all twins matching the filter (Server-Sent Events)',
      description:
        `${EVENT_STREAM_DOC} Ids hold one offset per partition, joined by ".". A filtered stream ` +
        'sends the twins that match after the change, and every deletion.',
      access: 'read',
      query: LIST_QUERY.filter((q) => q.name !== 'limit' && q.name !== 'cursor'),
      headers: [LAST_EVENT_ID],
      response: eventStreamResponse('The event stream of the matching twins'),
      async handle({ req, query }) {
        const selector = { kind: 'fleet', filter: parseTwinFilter(query) } as const;
        return openStream(events, { selector, ...lastEventId(req.get('Last-Event-ID')) });
      },
    },
  ];
}
