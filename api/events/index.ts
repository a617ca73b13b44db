/**
 * Live twin changes as Server-Sent Events, read from `device.twins`, with event ids that are
 * positions in it (position.ts), so Last-Event-ID resumes exactly.
 */
export {
  EventStreams,
  type EventStreamsOptions,
  type StreamRequest,
  type SinkFactory,
  type SinkStarter,
  type StreamSink,
  type StreamStarter,
} from './event-streams';
export { kafkaEventStreams, type KafkaEventStreamsOptions } from './kafka-event-streams';
export type { ChangeSelector, TwinChange } from './twin-change';
