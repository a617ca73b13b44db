import type { ConnectionStatus, Lifecycle, TwinDocument } from '../topology/twin';

/**
 * The twin document of docs/contract.md, as served by REST and written to `device.twins`. One
 * definition: the processor's (topology/twin/document.ts), re-exported for the API's users.
 */
export type { ConnectionStatus, Lifecycle, PublicFieldMeta, TwinDocument } from '../topology/twin';

/** Attribute map of a twin; the REST API only writes scalar values (string, number, boolean). */
export type Attributes = TwinDocument['attributes'];

export const LIFECYCLES = [
  'pending',
  'active',
  'suspended',
  'decommissioned',
] as const satisfies readonly Lifecycle[];
export const CONNECTION_STATUSES = [
  'online',
  'offline',
  'unknown',
] as const satisfies readonly ConnectionStatus[];

// Compile-time check that the lists above name every member of the unions.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
const _allLifecycles: Missing<Lifecycle, (typeof LIFECYCLES)[number]> = true;
const _allStatuses: Missing<ConnectionStatus, (typeof CONNECTION_STATUSES)[number]> = true;
