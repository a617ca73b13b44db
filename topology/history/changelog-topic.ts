import type { HistorySettings } from '../processor-settings';
import type { PlannedTopic } from '../topic-setup';

const DAY_MS = 86_400_000;

/**
 * The history changelog: co-partitioned with the inputs, `cleanup.policy=delete` with
 * `retention.ms` the longest retention of any device type (entries of shorter-lived types are
 * swept earlier locally and skipped on restore). Records carry their entry's time as timestamp,
 * so the broker's time-based retention follows the entries. Segments roll every tenth of the
 * retention (between a minute and a day) so expired ones can be deleted.
 */
export function historyChangelogPlan(history: HistorySettings): PlannedTopic {
  const retentionMs = history.retention.maxMs;
  const segmentMs = Math.min(DAY_MS, Math.max(60_000, Math.ceil(retentionMs / 10)));
  return {
    topic: history.changelogTopic,
    compacted: false,
    coPartitioned: true,
    configEntries: [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(retentionMs) },
      { name: 'segment.ms', value: String(segmentMs) },
      { name: 'message.timestamp.type', value: 'CreateTime' },
    ],
  };
}
