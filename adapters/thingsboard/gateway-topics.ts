/** ThingsBoard's MQTT gateway API topics (its "Gateway MQTT API" reference). */
export const GATEWAY_TOPICS = {
  connect: 'v1/gateway/connect',
  disconnect: 'v1/gateway/disconnect',
  telemetry: 'v1/gateway/telemetry',
  /** Client-side attributes out; shared-attribute updates in. */
  attributes: 'v1/gateway/attributes',
  /** Server-side RPC requests in; their replies out. */
  rpc: 'v1/gateway/rpc',
} as const;

export type GatewayTopic = (typeof GATEWAY_TOPICS)[keyof typeof GATEWAY_TOPICS];

/** One MQTT message for ThingsBoard. */
export interface GatewayMessage {
  topic: GatewayTopic;
  payload: string;
}
