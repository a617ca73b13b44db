import type { TwinFilter } from './backend';

/** What a filter looks at: the stored twin state and the public document both have it. */
export interface FilterableTwin {
  type: string;
  lifecycle: string;
  /** Optional: a document read back from `device.twins` is checked, not trusted. */
  connection?: { status: string };
  attributes?: Readonly<Record<string, unknown>>;
}

/** Whether a twin matches every given field of the filter (AND); attributes by their string form. */
export function matchesFilter(filter: TwinFilter, t: FilterableTwin): boolean {
  return (
    (filter.type === undefined || t.type === filter.type) &&
    (filter.status === undefined || t.connection?.status === filter.status) &&
    (filter.lifecycle === undefined || t.lifecycle === filter.lifecycle) &&
    Object.entries(filter.attributes ?? {}).every(
      ([k, v]) =>
        t.attributes !== undefined && Object.hasOwn(t.attributes, k) && String(t.attributes[k]) === v,
    )
  );
}
