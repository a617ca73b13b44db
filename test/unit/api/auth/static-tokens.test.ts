import { staticTokenVerifier } from '../../../../api/auth/static-tokens';
import { TwinfoldError } from '../../../../shared/errors';
import { parseStaticTokens } from '../../../../shared/auth-config';

const tokens = parseStaticTokens(
  'viewer-token-000000001:viewer, operator-token-0000001:operator,admin-token-00000000001:admin',
);

describe('staticTokenVerifier', () => {
  const verify = staticTokenVerifier(tokens);

  it('maps each configured token to its role, with a subject that does not reveal it', () => {
    expect(verify('viewer-token-000000001')).toMatchObject({ role: 'viewer', scheme: 'static' });
    expect(verify('operator-token-0000001').role).toBe('operator');
    const admin = verify('admin-token-00000000001');
    expect(admin.role).toBe('admin');
    expect(admin.subject).toMatch(/^token:[0-9a-f]{8}$/);
    expect(admin.subject).not.toContain('admin-token');
  });

  it('rejects unknown tokens, prefixes and extensions of known ones with 401', () => {
    for (const bad of [
      'nope',
      'viewer-token-00000000',
      'viewer-token-0000000011',
      'VIEWER-TOKEN-000000001',
    ]) {
      expect(() => verify(bad)).toThrow(TwinfoldError);
      try {
        verify(bad);
      } catch (err) {
        expect((err as TwinfoldError).code).toBe('UNAUTHORIZED');
      }
    }
  });

  it('rejects everything when no token is configured', () => {
    expect(() => staticTokenVerifier([])('anything-at-all-000000')).toThrow(/not valid/);
  });
});

describe('parseStaticTokens (AUTH_TOKENS)', () => {
  it('parses token:role pairs, splitting at the last colon and ignoring blanks', () => {
    expect(parseStaticTokens(' a-token-of-16-chars:viewer ,, b-token-of-16-chars:admin ')).toEqual([
      { token: 'a-token-of-16-chars', role: 'viewer' },
      { token: 'b-token-of-16-chars', role: 'admin' },
    ]);
    expect(parseStaticTokens('')).toEqual([]);
  });

  it.each([
    ['a-token-of-16-chars', /role one of viewer, operator, admin/],
    ['a-token-of-16-chars:root', /role one of/],
    ['short:viewer', /at least 16 characters/],
    ['a token with spaces!:viewer', /may only contain/],
    ['a-token-of-16-chars:viewer,a-token-of-16-chars:admin', /repeats an earlier token/],
  ])('rejects %j without echoing the token', (raw, message) => {
    let error: Error | undefined;
    try {
      parseStaticTokens(raw);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('a-token-of-16-chars');
  });
});
