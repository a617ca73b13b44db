import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, ApiError, errorText } from '../lib/api';
import type { LiveSeries } from '../lib/twin-live';
import type { Twin } from '../lib/twin';
import { unitLabel } from '../lib/format';

const RANGES: { label: string; seconds: number }[] = [
  { label: 'last 15 minutes', seconds: 900 },
  { label: 'last hour', seconds: 3600 },
  { label: 'last 6 hours', seconds: 21600 },
  { label: 'last 24 hours', seconds: 86400 },
];

/** GET /twins/{id}/telemetry (docs/contract.md, History). */
interface TelemetryPage {
  telemetry: { timestamp: string; receivedAt?: string; values: Record<string, unknown> }[];
}

type Data = { t: number[]; v: number[]; source: 'history' | 'live' };

/**
 * History from GET /twins/{id}/telemetry when this server keeps it (200): the newest 10,000
 * readings of the range; else (404, or 501 with HISTORY=off) the live values.
 */
async function loadHistory(id: string, field: string, seconds: number): Promise<Data | null> {
  const end = new Date();
  const start = new Date(end.getTime() - seconds * 1000);
  const q = new URLSearchParams({
    start: start.toISOString(),
    end: end.toISOString(),
    fields: field,
    order: 'desc',
    limit: '10000',
  });
  try {
    const { data } = await api<TelemetryPage>(`/twins/${encodeURIComponent(id)}/telemetry?${q.toString()}`);
    const t: number[] = [];
    const v: number[] = [];
    for (const p of [...data.telemetry].reverse()) {
      const value = p.values[field];
      if (typeof value !== 'number') continue;
      t.push(Date.parse(p.timestamp) / 1000);
      v.push(value);
    }
    return { t, v, source: 'history' };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 501)) return null;
    throw err;
  }
}

/** The stored history, continued by the live values received after its last point. */
function continued(history: Data, live: { t: number[]; v: number[] } | undefined): Data {
  const last = history.t[history.t.length - 1] ?? -Infinity;
  const t = [...history.t];
  const v = [...history.v];
  live?.t.forEach((at, i) => {
    if (at > last) {
      t.push(at);
      v.push(live.v[i]!);
    }
  });
  return { t, v, source: 'history' };
}

export function TwinChart({ twin, series }: { twin: Twin; series: LiveSeries }) {
  const fields = Object.keys(twin.reported)
    .filter((f) => typeof twin.reported[f] === 'number')
    .sort();
  const [field, setField] = useState(fields[0] ?? '');
  const [range, setRange] = useState(RANGES[0]!.seconds);
  const [history, setHistory] = useState<Data | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const chosen = fields.includes(field) ? field : (fields[0] ?? '');

  useEffect(() => {
    if (!chosen) return;
    let live = true;
    loadHistory(twin.id, chosen, range)
      .then((data) => {
        if (!live) return;
        setHistory(data);
        setNote(
          data ? null : 'This server keeps no history: showing the values received since this page opened.',
        );
      })
      .catch((err: unknown) => live && setNote(errorText(err)));
    return () => {
      live = false;
    };
  }, [twin.id, chosen, range]);

  const liveData = series.get(chosen);
  const data: Data = history
    ? continued(history, liveData)
    : { t: liveData?.t ?? [], v: liveData?.v ?? [], source: 'live' };

  useEffect(() => {
    const el = box.current;
    if (!el || !chosen) return;
    const unit = unitLabel(twin.metadata.reported?.[chosen]?.unit);
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: 220,
      series: [
        {},
        {
          label: `${chosen}${unit ? ` (${unit})` : ''}`,
          stroke: '#2f6fdf',
          width: 2,
          points: { show: true, size: 4 },
        },
      ],
      axes: [{}, { label: unit }],
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [data.t, data.v], el);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [chosen]);

  useEffect(() => {
    plot.current?.setData([data.t, data.v]);
  });

  if (fields.length === 0) return null;
  return (
    <section class="card chart" aria-labelledby="chart-title">
      <h2 id="chart-title">History</h2>
      <div class="chart-controls">
        <label>
          Field
          <select value={chosen} onChange={(e) => setField(e.currentTarget.value)}>
            {fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label>
          Range
          <select value={range} onChange={(e) => setRange(Number(e.currentTarget.value))}>
            {RANGES.map((r) => (
              <option key={r.seconds} value={r.seconds}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <span class="source">
          {data.source === 'history'
            ? `stored history: ${data.t.length} values`
            : `live: ${data.t.length} values`}
        </span>
      </div>
      {note && <p class="hint">{note}</p>}
      <div ref={box} class="plot" role="img" aria-label={`Chart of ${chosen}`} />
    </section>
  );
}
