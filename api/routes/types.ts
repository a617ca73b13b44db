import { DEFAULT_PROFILE, validateProfile, type DeviceProfile } from '../../topology/traits';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { API_PREFIX } from './common';
import { invalidFields, requireTables, writeAndWait, type GlobalTables, type Stamped } from './types-tables';

/** `GET /types/{type}/profile`: the type's own profile, or the defaults (`default: true`). */
export interface ProfileView {
  type: string;
  profile: DeviceProfile;
  default: boolean;
  updatedAt: string | null;
}

function view(type: string, entry: Stamped<DeviceProfile> | undefined): ProfileView {
  return entry === undefined
    ? { type, profile: DEFAULT_PROFILE, default: true, updatedAt: null }
    : { type, profile: entry.value, default: false, updatedAt: entry.updatedAt };
}

/**
 * A profile or 400 VALIDATION_ERROR naming every offending field (`fields.humidity.spikeK: ...`),
 * checked by the same validateProfile the processor reads `device.types` with.
 */
export function checkProfile(input: unknown): DeviceProfile {
  const result = validateProfile(input);
  if (result.ok) return result.profile;
  throw invalidFields('profile', result.errors);
}

/** Device-type profiles: what the traits of each type are folded with (`device.types`). */
export function typeRoutes(tables: GlobalTables | undefined, now: () => Date): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/types`,
      operationId: 'listTypes',
      tag: 'types',
      summary: 'The device types that have a profile of their own',
      access: 'read',
      response: {
        status: 200,
        description: 'Types and their profiles, by type',
        schema: ref('ProfileList'),
      },
      async handle() {
        const entries = requireTables(tables).profiles.entries();
        const types = entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, e]) => view(type, e));
        return { data: { count: types.length, types } };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/types/:type/profile`,
      operationId: 'getTypeProfile',
      tag: 'types',
      summary: "A type's profile (the defaults when it has none)",
      access: 'read',
      response: { status: 200, description: 'The profile', schema: ref('ProfileView') },
      async handle({ params }) {
        const type = params.type!;
        return { data: view(type, requireTables(tables).profiles.get(type)) };
      },
    },
    {
      method: 'put',
      path: `${API_PREFIX}/types/:type/profile`,
      operationId: 'putTypeProfile',
      tag: 'types',
      summary: "Set a type's profile; absent settings take the defaults",
      description:
        'Every instance folds the twins of the type with it from its next record on. 400 names the offending field.',
      access: 'admin',
      body: { description: 'A profile: any subset of the settings', schema: { type: 'object' } },
      response: { status: 200, description: 'The profile as stored', schema: ref('ProfileView') },
      errors: ['TIMEOUT'],
      async handle({ params, body }) {
        const t = requireTables(tables);
        const profile = checkProfile(body);
        const updatedAt = now().toISOString();
        await writeAndWait(t, t.profiles, params.type!, { value: profile, updatedAt });
        return { data: view(params.type!, t.profiles.get(params.type!)) };
      },
    },
  ];
}
