import { compileTopicTemplate, type TopicTemplate } from '../../bridge/topic-template';
import { uplinkRoutes, type UplinkRoute } from '../../bridge/uplink-record';
import type { DeviceKind } from '../../shared/inputs';
import type { TopicNames } from '../../shared/topics';

/** The bridge's uplink routes with the default MQTT layout, `device/{id}/<kind>`. */
export function defaultUplinkRoutes(names: TopicNames): UplinkRoute[] {
  const t = (kind: DeviceKind): TopicTemplate => compileTopicTemplate(`device/{id}/${kind}`);
  return uplinkRoutes(
    { telemetry: t('telemetry'), state: t('state'), status: t('status'), ack: t('ack'), error: t('error') },
    names,
  );
}
