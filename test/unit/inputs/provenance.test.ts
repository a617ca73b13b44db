import { decodeInput, decodeProvenance } from '../../../shared/inputs';

const T = Date.parse('2026-11-24T10:00:00Z');

describe('actor and reason headers', () => {
  it('become the actor and reason of an application input', () => {
    const input = decodeInput('desired', 'dev-1', '{"patch":{"a":1}}', T, undefined, {
      'twinfold.actor': Buffer.from('alice@example.com'),
      'twinfold.reason': 'maintenance window',
    });
    expect(input).toMatchObject({
      kind: 'desired',
      actor: 'alice@example.com',
      reason: 'maintenance window',
    });
    expect(decodeInput('desired', 'dev-1', '{"patch":{}}', T, undefined, {})).not.toHaveProperty('actor');
  });

  it('are ignored on device inputs (a device cannot claim to be someone)', () => {
    const input = decodeInput('telemetry', 'dev-1', '{"t":1}', T, undefined, { 'twinfold.actor': 'admin' });
    expect(input).not.toHaveProperty('actor');
  });

  it.each([
    ['an empty actor', { 'twinfold.actor': '' }],
    ['a control character', { 'twinfold.actor': 'a\u0000b' }],
    ['a newline in the reason', { 'twinfold.reason': 'a\nb' }],
    ['an actor too long', { 'twinfold.actor': 'x'.repeat(257) }],
    ['a reason too long', { 'twinfold.reason': Buffer.from('x'.repeat(1025)) }],
    ['invalid UTF-8', { 'twinfold.actor': Buffer.from([0xff, 0xfe]) }],
    ['a repeated header', { 'twinfold.actor': ['a', 'b'] }],
    ['a lone surrogate', { 'twinfold.actor': 'a\ud800' }],
  ])('refuse %s with VALIDATION_ERROR naming the header', (_name, headers) => {
    expect(() => decodeProvenance(headers)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR', details: { field: Object.keys(headers)[0] } }),
    );
  });
});
