import type { IPublishPacket } from 'mqtt';
import { CLIENT_ID_PROPERTY, LABEL_PATTERN, LABEL_PROPERTY } from '../shared/inputs';

/** What the bridge learns about a PUBLISH besides its topic, payload, QoS and retain flag. */
export interface PublishMeta {
  dup: boolean;
  /** The client id the publisher declared (MQTT 5 user property `twinfold-client-id`). */
  clientId?: string;
  /** The ground-truth label, only when `clientId` is one of the labelling client ids. */
  label?: string;
  /** A label was present and dropped (labelling off, or a client id not allowed, or malformed). */
  labelDropped: boolean;
}

function property(packet: IPublishPacket, name: string): string | undefined {
  const value = packet.properties?.userProperties?.[name];
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' && one.length > 0 && one.length <= 128 ? one : undefined;
}

/**
 * The DUP flag, the declared client id and the label of a PUBLISH. Mosquitto does not tell a
 * subscriber who published a message, so the client id is what the publisher declared; a label is
 * carried only from client ids listed in `LABEL_CLIENT_IDS` (simulators), any other is dropped.
 */
export function publishMeta(packet: IPublishPacket, labelClientIds: ReadonlySet<string>): PublishMeta {
  const clientId = property(packet, CLIENT_ID_PROPERTY);
  const label = property(packet, LABEL_PROPERTY);
  const trusted =
    label !== undefined &&
    clientId !== undefined &&
    labelClientIds.has(clientId) &&
    LABEL_PATTERN.test(label);
  const meta: PublishMeta = { dup: packet.dup === true, labelDropped: label !== undefined && !trusted };
  if (clientId !== undefined) meta.clientId = clientId;
  if (trusted) meta.label = label;
  return meta;
}
