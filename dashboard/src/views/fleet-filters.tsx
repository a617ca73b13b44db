import { useState } from 'preact/hooks';
import type { FleetFilter } from '../lib/fleet-model';

interface Props {
  filter: FleetFilter;
  onApply: (filter: FleetFilter) => void;
  search: string;
  onSearch: (text: string) => void;
}

/** The list API's filters (applied on submit: a new list and a new stream) and a search of the ids. */
export function FleetFilters({ filter, onApply, search, onSearch }: Props) {
  const [draft, setDraft] = useState(filter);
  const set = (key: keyof FleetFilter) => (e: Event) =>
    setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  return (
    <form
      class="filters"
      aria-label="Filter the fleet"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <label>
        Search id
        <input
          type="search"
          placeholder="part of an id"
          value={search}
          onInput={(e) => onSearch(e.currentTarget.value)}
        />
      </label>
      <label>
        Type
        <input type="text" placeholder="any" value={draft.type} onInput={set('type')} />
      </label>
      <label>
        Status
        <select value={draft.status} onChange={set('status')}>
          <option value="">any</option>
          <option value="online">online</option>
          <option value="offline">offline</option>
          <option value="unknown">unknown</option>
        </select>
      </label>
      <label>
        Lifecycle
        <select value={draft.lifecycle} onChange={set('lifecycle')}>
          <option value="">any</option>
          <option value="pending">pending</option>
          <option value="active">active</option>
          <option value="suspended">suspended</option>
          <option value="decommissioned">decommissioned</option>
        </select>
      </label>
      <label>
        Attribute
        <input type="text" placeholder="key=value" value={draft.attribute} onInput={set('attribute')} />
      </label>
      <button type="submit">Apply filters</button>
    </form>
  );
}
