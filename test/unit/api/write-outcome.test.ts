import { desiredPatchVersion } from '../../../api/write-outcome';
import { TwinfoldError } from '../../../shared/errors';
import type { CommittedChange } from '../../../topology/commit-notice';

const change = (overrides: Partial<CommittedChange>): CommittedChange => ({
  deviceId: 'd',
  requestId: 'r',
  outcome: 'changed',
  version: 5,
  events: [],
  ...overrides,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof TwinfoldError ? err.code : 'not a TwinfoldError';
  }
  return undefined;
}

describe('desiredPatchVersion', () => {
  it('is the version the fold produced, or the current one when nothing changed', () => {
    expect(desiredPatchVersion('d', 'r', 4, change({}), 1000)).toBe(5);
    expect(desiredPatchVersion('d', 'r', undefined, change({ outcome: 'unchanged', version: 4 }), 1000)).toBe(
      4,
    );
  });

  it('maps the fold rejecting a stale If-Match to VERSION_CONFLICT (412)', () => {
    const rejected = change({ outcome: 'ignored', reason: 'version-conflict', version: 6 });
    expect(codeOf(() => desiredPatchVersion('d', 'r', 5, rejected, 1000))).toBe('VERSION_CONFLICT');
  });

  it('maps other refusals to LIFECYCLE_CONFLICT and an unseen outcome to TIMEOUT', () => {
    const frozen = change({ outcome: 'ignored', reason: 'decommissioned' });
    expect(codeOf(() => desiredPatchVersion('d', 'r', undefined, frozen, 1000))).toBe('LIFECYCLE_CONFLICT');
    expect(codeOf(() => desiredPatchVersion('d', 'r', undefined, undefined, 1000))).toBe('TIMEOUT');
  });

  it('maps a write the twin no longer exists for to TWIN_NOT_FOUND', () => {
    const gone = change({ outcome: 'ignored', reason: 'unknown-twin', version: 0 });
    expect(codeOf(() => desiredPatchVersion('d', 'r', undefined, gone, 1000))).toBe('TWIN_NOT_FOUND');
  });

  it('maps a write the processor dead-lettered to the limit that refused it, not a TIMEOUT', () => {
    const error = { code: 'LIMIT_EXCEEDED' as const, message: 'twin d would grow to 600000 bytes' };
    const refused = change({ outcome: 'ignored', version: 4, error });
    expect(codeOf(() => desiredPatchVersion('d', 'r', undefined, refused, 1000))).toBe('LIMIT_EXCEEDED');
  });
});
