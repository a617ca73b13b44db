/**
 * An MQTT topic layout with the device id as one whole level, e.g. `device/{id}/telemetry`.
 * The id level becomes `+` when subscribing and is read back from each received topic; it is
 * never filled with anything but a valid device id when publishing (the caller checks).
 */
export interface TopicTemplate {
  readonly template: string;
  /** The subscription filter: `device/+/telemetry`, or `$share/<group>/device/+/telemetry`. */
  filter(sharedGroup?: string): string;
  /**
   * The raw id level of a topic that has this layout; `null` when the topic does not have it.
   * The id is not validated here.
   */
  idOf(topic: string): string | null;
  /** The concrete topic of one device. */
  format(deviceId: string): string;
}

export const ID_PLACEHOLDER = '{id}';

/** Throws an Error saying what is wrong with the template. */
export function compileTopicTemplate(template: string): TopicTemplate {
  const levels = template.split('/');
  const idIndex = levels.indexOf(ID_PLACEHOLDER);
  if (idIndex === -1 || levels.lastIndexOf(ID_PLACEHOLDER) !== idIndex) {
    throw new Error(
      `must contain ${ID_PLACEHOLDER} exactly once, as a whole level, got ${JSON.stringify(template)}`,
    );
  }
  if (levels.some((l, i) => i !== idIndex && (/[+#{}]/.test(l) || l.includes('\u0000')))) {
    throw new Error(`must not contain wildcards or other placeholders, got ${JSON.stringify(template)}`);
  }
  if (template.startsWith('$')) throw new Error(`must not be a $-topic, got ${JSON.stringify(template)}`);

  return {
    template,
    filter: (sharedGroup) => {
      const filter = levels.map((l, i) => (i === idIndex ? '+' : l)).join('/');
      return sharedGroup ? `$share/${sharedGroup}/${filter}` : filter;
    },
    idOf: (topic) => {
      const parts = topic.split('/');
      if (parts.length !== levels.length) return null;
      for (let i = 0; i < levels.length; i++) if (i !== idIndex && parts[i] !== levels[i]) return null;
      return parts[idIndex] ?? null;
    },
    format: (deviceId) => levels.map((l, i) => (i === idIndex ? deviceId : l)).join('/'),
  };
}
