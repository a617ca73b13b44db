import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorLine } from '../components/bits';
import { api, errorText } from '../lib/api';
import { ago, valueText } from '../lib/format';
import { useNow } from '../lib/observable';

interface Health {
  status: string;
  startedAt: string;
  uptimeSeconds: number;
  readiness: { ready: boolean; status: string; detail?: Record<string, unknown> };
}

interface Instances {
  self: string;
  state: string;
  reason?: string;
  refreshedAt: string | null;
  partitionCount: number;
  partitions: { partition: number; url: string | null; servedHere: boolean }[];
  instances: { url: string; self: boolean; partitions: number[] }[];
}

interface Metric {
  name: string;
  values: { labels: Record<string, string | number>; value: number }[];
}

const TILES = {
  twinfold_processor_consumer_lag: 'Consumer lag (records)',
  twinfold_processor_restoring_partitions: 'Partitions restoring',
  twinfold_processor_restored_records_total: 'Records restored',
  twinfold_twins: 'Twins',
  twinfold_twins_with_delta: 'Twins with a delta',
  twinfold_commands_pending: 'Open commands',
  twinfold_sse_streams: 'Event streams',
} as const;

function total(metric: Metric | undefined): number {
  return metric ? metric.values.reduce((sum, v) => sum + v.value, 0) : 0;
}

/** Consumer lag per input topic (its short name), summed over this instance's partitions. */
function lagByTopic(metric: Metric | undefined): { topic: string; lag: number; partitions: number }[] {
  const rows = new Map<string, { topic: string; lag: number; partitions: number }>();
  for (const v of metric?.values ?? []) {
    const topic = String(v.labels.topic ?? '?').replace(/^.*\.(device\.)/, '$1');
    const row = rows.get(topic) ?? { topic, lag: 0, partitions: 0 };
    row.lag += v.value;
    row.partitions += 1;
    rows.set(topic, row);
  }
  return [...rows.values()].sort((a, b) => b.lag - a.lag || a.topic.localeCompare(b.topic));
}

/** This instance's readiness, the partition map, and the processor's lag and restore progress. */
export function SystemView() {
  const [health, setHealth] = useState<Health | null>(null);
  const [instances, setInstances] = useState<Instances | null>(null);
  const [metrics, setMetrics] = useState<Metric[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<string | null>(null);
  const now = useNow();

  useEffect(() => {
    let live = true;
    const load = async (): Promise<void> => {
      try {
        const [h, i, m] = await Promise.all([
          api<Health>('/system/health'),
          api<Instances>('/system/instances'),
          api<{ metrics: Metric[] }>('/system/metrics'),
        ]);
        if (!live) return;
        setHealth(h.data);
        setInstances(i.data);
        setMetrics(m.data.metrics.filter((x) => x.name in TILES));
        setUpdated(new Date().toISOString());
        setError(null);
      } catch (err) {
        if (live) setError(errorText(err));
      }
    };
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <section aria-labelledby="system-title" class="system">
      <div class="title-line">
        <h1 id="system-title">System</h1>
        <span class="hint">updated {ago(updated, now)}</span>
      </div>
      <ErrorLine error={error} />
      <div class="grid">
        {health && (
          <section class="card" aria-labelledby="ready-title">
            <h2 id="ready-title">This instance</h2>
            <dl class="pairs">
              <dt>Readiness</dt>
              <dd>
                <span class={`ready ${health.readiness.ready ? 'yes' : 'no'}`}>
                  {health.readiness.ready ? 'ready' : 'not ready'}
                </span>{' '}
                ({health.readiness.status})
              </dd>
              <dt>Up since</dt>
              <dd>{ago(health.startedAt, now)}</dd>
              {Object.entries(health.readiness.detail ?? {}).map(([k, v]) => (
                <Fragment key={k}>
                  <dt>{k}</dt>
                  <dd>{valueText(v)}</dd>
                </Fragment>
              ))}
            </dl>
          </section>
        )}
        {instances && (
          <section class="card" aria-labelledby="instances-title">
            <h2 id="instances-title">Instances and partitions</h2>
            <p>
              Map <strong>{instances.state}</strong>
              {instances.reason ? ` (${instances.reason})` : ''}, {instances.partitionCount} partitions,
              refreshed {ago(instances.refreshedAt, now)}.
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">Instance</th>
                  <th scope="col">Partitions</th>
                </tr>
              </thead>
              <tbody>
                {instances.instances.map((i) => (
                  <tr key={i.url}>
                    <th scope="row">
                      {i.url}
                      {i.self ? ' (this one)' : ''}
                    </th>
                    <td>{i.partitions.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ol class="partition-map" aria-label="Partition map">
              {instances.partitions.map((p) => (
                <li
                  key={p.partition}
                  class={p.url ? (p.servedHere ? 'here' : 'there') : 'none'}
                  title={p.url ?? 'no owner'}
                >
                  {p.partition}
                </li>
              ))}
            </ol>
          </section>
        )}
        {metrics.length > 0 && (
          <section class="card" aria-labelledby="metrics-title">
            <h2 id="metrics-title">Processing</h2>
            <dl class="tiles">
              {Object.entries(TILES).map(([name, label]) => (
                <div key={name}>
                  <dt>{label}</dt>
                  <dd>{total(metrics.find((m) => m.name === name)).toLocaleString()}</dd>
                </div>
              ))}
            </dl>
            <table>
              <caption>Consumer lag by input topic</caption>
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col">Partitions</th>
                  <th scope="col">Lag</th>
                </tr>
              </thead>
              <tbody>
                {lagByTopic(metrics.find((m) => m.name === 'twinfold_processor_consumer_lag')).map((r) => (
                  <tr key={r.topic}>
                    <th scope="row">{r.topic}</th>
                    <td>{r.partitions}</td>
                    <td class="value">{r.lag.toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </div>
    </section>
  );
}
