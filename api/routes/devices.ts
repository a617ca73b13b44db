import type { RouteSpec } from '../route';
import { ref } from '../openapi/schemas';
import type { ConnectionStatus, Lifecycle, TwinDocument } from '../twin-document';
import { API_PREFIX, LIST_QUERY, parseListQuery, requireTwin, type RouteDeps } from './common';

/** The connection view of one device. */
export interface DeviceView {
  id: string;
  type: string;
  lifecycle: Lifecycle;
  status: ConnectionStatus;
  since: string | null;
  lastSeen: string | null;
  pendingCommands: number;
}

export interface DeviceHealth {
  id: string;
  /** Active and online. */
  healthy: boolean;
  status: ConnectionStatus;
  lifecycle: Lifecycle;
  lastSeen: string | null;
  silentForSeconds: number | null;
  pendingCommands: number;
  /** Why the device is not healthy; empty when healthy. */
  reasons: string[];
}

export function deviceView(twin: TwinDocument): DeviceView {
  const { id, type, lifecycle, connection } = twin;
  const { status, since, lastSeen } = connection;
  return { id, type, lifecycle, status, since, lastSeen, pendingCommands: twin.commands.pending };
}

export function deviceHealth(twin: TwinDocument, now: Date): DeviceHealth {
  const { status, lastSeen } = twin.connection;
  const reasons: string[] = [];
  if (twin.lifecycle !== 'active') reasons.push(`lifecycle is ${twin.lifecycle}`);
  if (status !== 'online') reasons.push(`connection is ${status}`);
  if (lastSeen === null) reasons.push('never seen');
  const silentForSeconds =
    lastSeen === null ? null : Math.max(0, (now.getTime() - Date.parse(lastSeen)) / 1000);
  return {
    id: twin.id,
    healthy: reasons.length === 0,
    status,
    lifecycle: twin.lifecycle,
    lastSeen,
    silentForSeconds,
    pendingCommands: twin.commands.pending,
    reasons,
  };
}

/** The fleet seen as devices: connection status rather than state. */
export function deviceRoutes({ backend, now }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/devices`,
      operationId: 'listDevices',
      tag: 'devices',
      summary: 'Connection view of the fleet, filtered and paginated like /twins',
      access: 'read',
      query: LIST_QUERY,
      response: { status: 200, description: 'One page of devices', schema: ref('DeviceList') },
      async handle({ query }) {
        const page = await backend.listTwins(parseListQuery(query));
        return {
          data: {
            count: page.twins.length,
            devices: page.twins.map(deviceView),
            nextCursor: page.nextCursor,
          },
        };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/devices/:id`,
      operationId: 'getDevice',
      tag: 'devices',
      summary: 'Connection view of one device',
      access: 'read',
      response: { status: 200, description: 'The device', schema: ref('DeviceView') },
      async handle({ params }) {
        return { data: deviceView(await requireTwin(backend, params.id!)) };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/devices/:id/health`,
      operationId: 'getDeviceHealth',
      tag: 'devices',
      summary: 'Whether one device is active and online, and why not',
      access: 'read',
      response: { status: 200, description: 'The health summary', schema: ref('DeviceHealth') },
      async handle({ params }) {
        return { data: deviceHealth(await requireTwin(backend, params.id!), now()) };
      },
    },
  ];
}
