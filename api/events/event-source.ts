import type { StreamRequest, StreamStarter } from './event-streams';

/** What the event routes need of EventStreams: the seam unit tests fill with fakes. */
export interface EventSource {
  open(request: StreamRequest): Promise<StreamStarter>;
}
