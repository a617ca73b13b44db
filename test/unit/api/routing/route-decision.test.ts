import { decideRoute, type RouteFacts } from '../../../../api/routing/route-decision';

const base: RouteFacts = {
  partition: 3,
  servedHere: false,
  forwarded: false,
  owner: 'http://b:8080',
  self: 'http://a:8080',
};

describe('decideRoute', () => {
  it('serves locally whenever this instance runs the partition, forwarded or not', () => {
    expect(decideRoute({ ...base, servedHere: true })).toEqual({ kind: 'local' });
    expect(decideRoute({ ...base, servedHere: true, forwarded: true, owner: undefined })).toEqual({
      kind: 'local',
    });
  });

  it("forwards to the map's owner", () => {
    expect(decideRoute(base)).toEqual({ kind: 'forward', url: 'http://b:8080' });
  });

  it('never forwards a forwarded request (one hop)', () => {
    const decision = decideRoute({ ...base, forwarded: true });
    expect(decision.kind).toBe('unavailable');
  });

  it('is unavailable while the owner is unknown, or is this instance still restoring', () => {
    expect(decideRoute({ ...base, owner: undefined })).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringMatching(/not known/),
    });
    expect(decideRoute({ ...base, owner: base.self })).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringMatching(/restored/),
    });
  });
});
