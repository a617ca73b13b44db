import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText } from './api';
import { openStream, type LinkState } from './sse';
import type { Twin } from './twin';

export interface TwinEvent {
  at: number;
  version: number | null;
  text: string;
}

/** Numeric readings seen live, per field: the chart's data when the server keeps no history. */
export type LiveSeries = Map<string, { t: number[]; v: number[] }>;

const MAX_EVENTS = 100;
const MAX_SAMPLES = 5000;

function changedKeys(a: Record<string, unknown> = {}, b: Record<string, unknown> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** One line saying what a change did: "reported temperature, humidity; online → offline". */
export function describeChange(before: Twin | null, after: Twin): string {
  if (!before) return 'created';
  const parts: string[] = [];
  const reported = changedKeys(before.reported, after.reported);
  if (reported.length) parts.push(`reported ${reported.join(', ')}`);
  const desired = changedKeys(before.desired, after.desired);
  if (desired.length) parts.push(`desired ${desired.join(', ')}`);
  if (before.connection.status !== after.connection.status)
    parts.push(`${before.connection.status} → ${after.connection.status}`);
  if (before.lifecycle !== after.lifecycle) parts.push(`lifecycle ${before.lifecycle} → ${after.lifecycle}`);
  if ((before.commands?.pending ?? 0) !== (after.commands?.pending ?? 0))
    parts.push(`pending commands ${before.commands?.pending ?? 0} → ${after.commands?.pending ?? 0}`);
  if (changedKeys(before.attributes, after.attributes).length) parts.push('attributes');
  if (JSON.stringify(before.traits) !== JSON.stringify(after.traits)) parts.push('traits');
  return parts.length ? parts.join('; ') : 'metadata';
}

function recordSamples(series: LiveSeries, twin: Twin): void {
  for (const [field, value] of Object.entries(twin.reported)) {
    if (typeof value !== 'number') continue;
    const stamp = twin.metadata.reported?.[field]?.timestamp;
    const t = (stamp ? Date.parse(stamp) : Date.now()) / 1000;
    const s = series.get(field) ?? { t: [], v: [] };
    if (s.t.length && s.t[s.t.length - 1]! >= t) continue;
    s.t.push(t);
    s.v.push(value);
    if (s.t.length > MAX_SAMPLES) {
      s.t.shift();
      s.v.shift();
    }
    series.set(field, s);
  }
}

export interface LiveTwin {
  twin: Twin | null;
  error: string | null;
  link: LinkState;
  events: TwinEvent[];
  series: LiveSeries;
  /** Read the twin again now (after a write whose result we want at once). */
  refresh: () => void;
}

/** A twin read once over REST, then kept current by its event stream. */
export function useLiveTwin(id: string): LiveTwin {
  const [twin, setTwin] = useState<Twin | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<LinkState>('connecting');
  const [events, setEvents] = useState<TwinEvent[]>([]);
  const current = useRef<Twin | null>(null);
  const series = useRef<LiveSeries>(new Map());

  const apply = (next: Twin, how: 'read' | 'event'): void => {
    const before = current.current;
    if (before && before.version >= next.version) return;
    current.current = next;
    recordSamples(series.current, next);
    setTwin(next);
    if (how === 'event') {
      const entry = { at: Date.now(), version: next.version, text: describeChange(before, next) };
      setEvents((list) => [entry, ...list].slice(0, MAX_EVENTS));
    }
  };

  const read = (): void => {
    api<Twin>(`/twins/${encodeURIComponent(id)}`)
      .then(({ data }) => {
        setError(null);
        apply(data, 'read');
      })
      .catch((err: unknown) =>
        setError(
          err instanceof ApiError && err.code === 'TWIN_NOT_FOUND' ? `No twin ${id} (yet).` : errorText(err),
        ),
      );
  };

  useEffect(() => {
    const close = openStream(`/twins/${encodeURIComponent(id)}/events`, {
      onEvent(type, data) {
        if (type === 'twin') apply(data as Twin, 'event');
        if (type === 'deleted') {
          setEvents((list) =>
            [{ at: Date.now(), version: null, text: 'deleted' }, ...list].slice(0, MAX_EVENTS),
          );
          setError(`Twin ${id} was deleted.`);
        }
      },
      onState: setLink,
      onReset: read,
    });
    read();
    return close;
  }, [id]);

  return { twin, error, link, events, series: series.current, refresh: read };
}
