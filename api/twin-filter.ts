import type { AlertType, HealthStatus, TraitsState } from '../topology/traits';
import { BEHAVIOUR_ALERT_TYPES, traitsView } from '../topology/traits';
import type { TwinFilter } from './backend';

/** Values of the `health=` filter: the traits' statuses, and `UNKNOWN` for a twin without traits. */
export const HEALTH_FILTERS = ['HEALTHY', 'DEGRADED', 'FAILED', 'UNKNOWN'] as const satisfies readonly (
  HealthStatus | 'UNKNOWN'
)[];
export type HealthFilter = (typeof HEALTH_FILTERS)[number];

/** Values of the `alert=` filter: an open alert's type (a trait's or the behaviour's), or `any`. */
export const ALERT_FILTERS = [
  'any',
  'SPIKE',
  'STUCK',
  'RAPID_CHANGE',
  'DRIFT',
  'UNSTABLE',
  'UNHEALTHY',
  ...BEHAVIOUR_ALERT_TYPES,
] as const satisfies readonly (AlertType | 'any')[];
export type AlertFilter = (typeof ALERT_FILTERS)[number];

/** What a filter looks at: the stored twin state and the public document both have it. */
export interface FilterableTwin {
  type: string;
  lifecycle: string;
  /** Optional: a document read back from `device.twins` is checked, not trusted. */
  connection?: { status: string };
  attributes?: Readonly<Record<string, unknown>>;
  /** The document's traits section (filterableState gives a stored twin one). */
  traits?: { health?: { status: string }; alerts?: ReadonlyArray<{ type: string }> };
  /** The network behaviour's open alerts (the stored state and the document both have them). */
  behaviour?: { alerts?: ReadonlyArray<{ type: string }> };
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
    ) &&
    (filter.health === undefined || (t.traits?.health?.status ?? 'UNKNOWN') === filter.health) &&
    (filter.alert === undefined ||
      [...(t.traits?.alerts ?? []), ...(t.behaviour?.alerts ?? [])].some(
        (a) => filter.alert === 'any' || a.type === filter.alert,
      ))
  );
}

/**
 * A stored twin as the filter sees its document: the traits' health judged at `updatedAt`, as
 * `toTwinDocument` shows it (so a list and an event stream agree); computed only when the filter
 * asks for health.
 */
export function filterableState<T extends FilterableTwin & { traits?: TraitsState; updatedAt: number }>(
  filter: TwinFilter,
  state: T,
): FilterableTwin {
  const { traits } = state;
  if (traits === undefined || filter.health === undefined) return state;
  return { ...state, traits: { alerts: traits.alerts, health: traitsView(traits, state.updatedAt).health } };
}
