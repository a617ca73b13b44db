import type { TwinGrave, TwinState } from '../../../topology/twin';
import { encodeWithinLimit, MAX_TWIN_BYTES, storedTwinCodec } from '../../../topology/twin-codec';
import { command, next, onlineTwin, T0 } from '../twin/helpers';

describe('storedTwinCodec', () => {
  it('round-trips a twin and a grave', () => {
    const twin = next(onlineTwin(), command('c1', T0 + 1));
    const grave: TwinGrave = { id: twin.id, deleted: true, version: 9, deletedAt: T0 };
    for (const stored of [twin, grave])
      expect(storedTwinCodec.decode(storedTwinCodec.encode(stored))).toEqual(stored);
  });

  it('reads the capital command statuses of earlier versions as seed 000 words', () => {
    const twin = next(onlineTwin(), command('c1', T0 + 1));
    const old = { ...twin, commands: twin.commands.map((c) => ({ ...c, status: 'DELIVERED' })) };
    const decoded = storedTwinCodec.decode(Buffer.from(JSON.stringify(old))) as TwinState;
    expect(decoded.commands.map((c) => c.status)).toEqual(['delivered']);
  });

  it('refuses a twin past MAX_TWIN_BYTES with LIMIT_EXCEEDED', () => {
    const twin = onlineTwin({ big: 'x'.repeat(MAX_TWIN_BYTES) });
    expect(() => encodeWithinLimit(twin)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    expect(encodeWithinLimit(onlineTwin()).length).toBeLessThan(MAX_TWIN_BYTES);
  });
});
