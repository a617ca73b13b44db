import { DEFAULT_JSON_LIMITS } from '../shared/safe-json';
import { HistoryRecorder, type HistoryWrite } from '../topology/history/recorder';
import type { RetentionPolicy } from '../topology/history/retention';
import { decodeInput, DEFAULT_FOLD_CONFIG, foldTwin, type StoredTwin } from '../topology/twin';

/**
 * History entries exactly as the processor makes them, from a device sending seed-001 telemetry:
 * each reading folded into its twin, then through the HistoryRecorder (one reading entry and one
 * change entry per message). `at(i)` is the time of the i-th message.
 */
export function* telemetryEntries(
  retention: RetentionPolicy,
  deviceId: string,
  count: number,
  at: (i: number) => number,
  firstOffset = 0,
): Generator<HistoryWrite> {
  const recorder = new HistoryRecorder(retention);
  let twin: StoredTwin | undefined;
  for (let i = 0; i < count; i++) {
    const t = at(i);
    const payload = {
      timestamp: new Date(t).toISOString(),
      data: {
        temperature: 20 + Math.sin(i / 600) * 5 + (i % 7) / 10,
        humidity: 55 + (i % 13),
        pressure: 1013.25,
        battery: 90 - i / 100_000,
      },
    };
    const input = decodeInput(
      'telemetry',
      deviceId,
      Buffer.from(JSON.stringify(payload)),
      t,
      DEFAULT_JSON_LIMITS,
    );
    const result = foldTwin(twin, input, { nowMs: t, config: DEFAULT_FOLD_CONFIG });
    yield* recorder.entriesOf({
      deviceId,
      input,
      offset: String(firstOffset + i),
      before: twin,
      result,
      atMs: t,
    });
    if (result.state) twin = result.state;
  }
}
