import { FleetModel, filterQuery, NO_FILTER } from '../../../dashboard/src/lib/fleet-model';
import type { Twin } from '../../../dashboard/src/lib/twin';

function twin(id: string, version: number, type = 'sensor'): Twin {
  return {
    id,
    type,
    lifecycle: 'active',
    connection: { status: 'online', since: null, lastSeen: null },
    reported: {},
    desired: {},
    delta: {},
    metadata: {},
    attributes: {},
    version,
    createdAt: '2026-12-03T00:00:00.000Z',
    updatedAt: '2026-12-03T00:00:00.000Z',
  };
}

const ids = (m: FleetModel): string[] => [...m.ids()];

describe('the fleet model of the dashboard', () => {
  it('keeps the rows a prefix of the list: an event beyond the last page waits for its page', () => {
    const m = new FleetModel();
    m.addPage([twin('a', 1), twin('b', 1)], 'cursor-after-b');
    expect(m.upsert(twin('d', 5))).toBe(false); // beyond b: not on screen yet
    expect(ids(m)).toEqual(['a', 'b']);
    // The next page was read before the event: its older d gives way to the event's.
    m.addPage([twin('c', 1), twin('d', 4)], null);
    expect(ids(m)).toEqual(['a', 'b', 'c', 'd']);
    expect(m.get('d')?.version).toBe(5);
    expect(m.complete).toBe(true);
  });

  it('applies only newer versions, from pages and events alike', () => {
    const m = new FleetModel();
    m.addPage([twin('a', 3)], null);
    expect(m.upsert(twin('a', 2, 'old'))).toBe(false);
    expect(m.upsert(twin('a', 4, 'new'))).toBe(true);
    m.addPage([twin('a', 3, 'stale page')], null);
    expect(m.get('a')?.type).toBe('new');
  });

  it('inserts a new twin in id order once the list is complete, and removes deleted ones', () => {
    const m = new FleetModel();
    m.addPage([twin('a', 1), twin('c', 1)], null);
    expect(m.upsert(twin('b', 1))).toBe(true);
    expect(m.upsert(twin('z', 1))).toBe(true);
    expect(ids(m)).toEqual(['a', 'b', 'c', 'z']);
    expect(m.remove('b')).toBe(true);
    expect(m.remove('b')).toBe(false);
    expect(ids(m)).toEqual(['a', 'c', 'z']);
    expect(m.at(1)?.id).toBe('c');
  });

  it('holds nothing before the first page: a stream event waits for it', () => {
    const m = new FleetModel();
    expect(m.upsert(twin('a', 2))).toBe(false);
    expect(m.size).toBe(0);
    m.addPage([twin('a', 1)], null);
    expect(m.get('a')?.version).toBe(2);
  });

  it('speaks the list API: type, status, lifecycle and attr.KEY', () => {
    expect(filterQuery(NO_FILTER).toString()).toBe('');
    const q = filterQuery({ type: 'lamp', status: 'online', lifecycle: 'active', attribute: 'room = A 1' });
    expect(Object.fromEntries(q)).toEqual({
      type: 'lamp',
      status: 'online',
      lifecycle: 'active',
      'attr.room': 'A 1',
    });
  });
});
