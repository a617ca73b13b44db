import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { ErrorLine, LinkBadge, StatusDot } from '../components/bits';
import { VirtualList } from '../components/virtual-list';
import { api, errorText } from '../lib/api';
import { FleetModel, NO_FILTER, filterQuery, type FleetFilter } from '../lib/fleet-model';
import { ago } from '../lib/format';
import { useNow } from '../lib/observable';
import { openStream, type LinkState } from '../lib/sse';
import { deltaSize, healthOf, type Twin, type TwinPage } from '../lib/twin';
import { FleetFilters } from './fleet-filters';

const ROW_HEIGHT = 36;
/** A User Timing mark when the first rows are on screen (bench/dashboard.ts reads it). */
export const FIRST_ROWS_MARK = 'twinfold:fleet-first-rows';
/** A small first page shows rows soon; later pages (read as the list scrolls) are larger. */
const FIRST_PAGE = 200;
const NEXT_PAGE = 1000;

/** Re-renders at most once a frame, however many events arrive. */
function useFrameBatch(): [number, () => void] {
  const [rev, bump] = useReducer((n: number) => n + 1, 0);
  const pending = useRef(false);
  const schedule = useCallback(() => {
    if (pending.current) return;
    pending.current = true;
    requestAnimationFrame(() => {
      pending.current = false;
      bump(undefined);
    });
  }, []);
  return [rev, schedule];
}

function FleetRow({ twin, index, now }: { twin: Twin; index: number; now: number }) {
  const delta = deltaSize(twin);
  const health = healthOf(twin);
  return (
    <div class="row" role="row" data-index={index} aria-rowindex={index + 2}>
      <span role="cell">
        <StatusDot status={twin.connection.status} />
      </span>
      <span role="cell" class="id">
        <a href={`#/twin/${encodeURIComponent(twin.id)}`}>{twin.id}</a>
      </span>
      <span role="cell">{twin.type}</span>
      <span role="cell">{twin.lifecycle}</span>
      <span role="cell" title={twin.updatedAt}>
        {ago(twin.updatedAt, now)}
      </span>
      <span role="cell">{health ? <span class={`health ${health}`}>{health}</span> : '—'}</span>
      <span role="cell">
        {delta > 0 ? (
          <span class="delta-mark" title="desired and reported differ">
            Δ {delta}
          </span>
        ) : (
          ''
        )}
      </span>
      <span role="cell">{twin.commands?.pending ? `${twin.commands.pending} pending` : ''}</span>
    </div>
  );
}

export function FleetView() {
  const [filter, setFilter] = useState<FleetFilter>(NO_FILTER);
  const [generation, restart] = useReducer((n: number) => n + 1, 0);
  const model = useMemo(() => new FleetModel(), [filter, generation]);
  const [rev, schedule] = useFrameBatch();
  const [link, setLink] = useState<LinkState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const loading = useRef(false);
  const now = useNow();

  const loadMore = useCallback(async () => {
    if (loading.current || model.complete) return;
    loading.current = true;
    try {
      const q = filterQuery(filter);
      q.set('limit', String(model.started ? NEXT_PAGE : FIRST_PAGE));
      if (model.nextCursor) q.set('cursor', model.nextCursor);
      const { data } = await api<TwinPage>(`/twins?${q.toString()}`);
      model.addPage(data.twins, data.nextCursor);
      setError(null);
      schedule();
    } catch (err) {
      setError(errorText(err));
    } finally {
      loading.current = false;
    }
  }, [model, filter, schedule]);

  useEffect(() => {
    const close = openStream(`/events?${filterQuery(filter).toString()}`, {
      onEvent(type, data) {
        if (type === 'twin' && model.upsert(data as Twin)) schedule();
        if (type === 'deleted' && model.remove((data as { id: string }).id)) schedule();
      },
      onState: setLink,
      onReset: () => restart(undefined),
    });
    void loadMore();
    return close;
  }, [model]);

  useEffect(() => {
    if (model.size > 0 && performance.getEntriesByName(FIRST_ROWS_MARK).length === 0)
      performance.mark(FIRST_ROWS_MARK);
  }, [model, rev]);

  const visible = useMemo(() => {
    const text = search.trim().toLowerCase();
    return text ? model.ids().filter((id) => id.toLowerCase().includes(text)) : null;
  }, [model, rev, search]);

  const counts = useMemo(() => {
    const c = { online: 0, offline: 0, unknown: 0, delta: 0 };
    for (let i = 0; i < model.size; i++) {
      const t = model.at(i)!;
      c[t.connection.status] += 1;
      if (deltaSize(t) > 0) c.delta += 1;
    }
    return c;
  }, [model, rev]);

  const count = visible ? visible.length : model.size;
  const twinAt = (i: number): Twin | undefined => (visible ? model.get(visible[i]!) : model.at(i));

  return (
    <section aria-labelledby="fleet-title" class="fleet">
      <div class="title-line">
        <h1 id="fleet-title">Fleet</h1>
        <LinkBadge state={link} />
        <p class="counts" aria-label="Summary">
          <span>
            {model.started
              ? `${model.size} twins loaded${model.complete ? '' : ' (more on scroll)'}`
              : 'loading…'}
          </span>
          <span class="status online">
            <span class="dot" aria-hidden="true" />
            {counts.online} online
          </span>
          <span class="status offline">
            <span class="dot" aria-hidden="true" />
            {counts.offline} offline
          </span>
          <span class="status unknown">
            <span class="dot" aria-hidden="true" />
            {counts.unknown} unknown
          </span>
          <span class="delta-mark">Δ {counts.delta} with delta</span>
        </p>
      </div>
      <FleetFilters filter={filter} onApply={setFilter} search={search} onSearch={setSearch} />
      <ErrorLine error={error} />
      <div role="table" aria-label="Twins" aria-rowcount={count + 1} class="table">
        <div class="row head" role="row" aria-rowindex={1}>
          {['Status', 'Id', 'Type', 'Lifecycle', 'Last update', 'Health', 'Delta', 'Commands'].map((h) => (
            <span role="columnheader" key={h}>
              {h}
            </span>
          ))}
        </div>
        {model.started && count === 0 && <p class="empty">No twins match.</p>}
        <VirtualList
          count={count}
          rowHeight={ROW_HEIGHT}
          label="Twins"
          onNearEnd={model.complete ? undefined : loadMore}
          row={(i) => {
            const twin = twinAt(i);
            return twin ? <FleetRow key={twin.id} twin={twin} index={i} now={now} /> : null;
          }}
        />
      </div>
      {!model.complete && model.started && (
        <button type="button" onClick={() => void loadMore()}>
          Load the next {NEXT_PAGE}
        </button>
      )}
    </section>
  );
}
