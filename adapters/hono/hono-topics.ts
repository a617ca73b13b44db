/** The channels of Hono's Kafka API that the adapter reads. */
export type HonoChannel = 'telemetry' | 'event' | 'command_response';

export interface HonoSource {
  channel: HonoChannel;
  tenant: string;
}

/** `<prefix><channel>.<tenant>`, Hono's topic naming (`hono.telemetry.DEFAULT_TENANT`). */
export function honoTopic(prefix: string, channel: HonoChannel | 'command', tenant: string): string {
  return `${prefix}${channel}.${tenant}`;
}

/**
 * Every topic the adapter reads, mapped to its channel and tenant. Built from the configured
 * tenants rather than parsed back from names, since a tenant id may itself contain dots.
 */
export function uplinkTopics(
  prefix: string,
  tenants: readonly string[],
  commands: boolean,
): Map<string, HonoSource> {
  const channels: HonoChannel[] = commands
    ? ['telemetry', 'event', 'command_response']
    : ['telemetry', 'event'];
  const out = new Map<string, HonoSource>();
  for (const tenant of tenants)
    for (const channel of channels) out.set(honoTopic(prefix, channel, tenant), { channel, tenant });
  return out;
}
