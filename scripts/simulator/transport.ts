import type { Downlink, SimMessage } from './message';

/** Counts a transport keeps: what it was given, what the broker acknowledged, what failed. */
export interface TransportCounts {
  published: number;
  acknowledged: number;
  failed: number;
}

/** Called when the devices of one connection are (re)connected; `reconnect` is false the first time. */
export type ConnectListener = (deviceIds: readonly string[], reconnect: boolean) => void;

/**
 * How simulated devices reach twinfold: over MQTT (through the bridge) or straight into the Kafka
 * input topics (as the bridge would write them). `publish` never throws: failures are counted.
 */
export interface Transport {
  readonly counts: TransportCounts;
  /** Connects for these devices; resolves once every connection is up. */
  connect(deviceIds: readonly string[]): Promise<void>;
  publish(message: SimMessage): void;
  /** Published but neither acknowledged nor failed yet. */
  pending(): number;
  /** Resolves once `pending()` is at most `max`. */
  waitForPending(max: number): Promise<void>;
  /** Drops one connection abruptly (as a lost network would); a no-op where there is none. */
  dropConnection(): void;
  onConnect(listener: ConnectListener): void;
  onDownlink(listener: (downlink: Downlink) => void): void;
  /** Waits for what is pending (bounded), then disconnects. */
  close(): Promise<void>;
}

/** Polls `pending()` until it is at most `max`; shared by the transports. */
export async function pollPending(pending: () => number, max: number, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pending() > max && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
}
