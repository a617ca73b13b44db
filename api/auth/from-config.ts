import { ConfigError, type Config } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import { allowAll, type AuthCheck } from './access';
import { bearerAuth } from './bearer';
import { remoteKeySet } from './jwks';
import type { JwtPolicy } from './jwt';
import { jwtKey } from './jwt-key';
import { jwtVerifier } from './jwt-role';
import { staticTokenVerifier } from './static-tokens';

type AuthConfig = Pick<
  Config,
  | 'authMode'
  | 'authTokens'
  | 'authJwtAlgorithm'
  | 'authJwtSecret'
  | 'authJwtPublicKey'
  | 'authJwksUrl'
  | 'authJwtIssuer'
  | 'authJwtAudience'
  | 'authJwtRoleClaim'
  | 'authJwtClockSkewSeconds'
>;

/**
 * The service's AuthCheck from its configuration, logged once at start-up: `none` as a warning
 * (anyone on the network may change every twin), the others with what they accept. Throws
 * ConfigError when the static mode has no tokens: authentication on with nothing to authenticate
 * would refuse every request, which is never what was meant. Every instance must be configured
 * alike: a forwarded request is verified again by the owner of the twin.
 */
export function authFromConfig(config: AuthConfig, logger: Logger): AuthCheck {
  if (config.authMode === 'none') {
    logger.warn(
      'AUTHENTICATION IS OFF (AUTH_MODE=none): anyone who reaches this port can read and change every twin',
      { authMode: 'none' },
    );
    return allowAll;
  }
  if (config.authMode === 'static') {
    if (config.authTokens.length === 0) {
      throw new ConfigError([
        'AUTH_MODE is static (the default) but AUTH_TOKENS is empty: set AUTH_TOKENS=token:role,..., ' +
          'or AUTH_MODE=jwt with AUTH_JWT_*, or AUTH_MODE=none to switch authentication off',
      ]);
    }
    const roles: Record<string, number> = {};
    for (const t of config.authTokens) roles[t.role] = (roles[t.role] ?? 0) + 1;
    logger.info('authentication: static bearer tokens', { authMode: 'static', tokens: roles });
    return bearerAuth(staticTokenVerifier(config.authTokens));
  }
  // loadConfig has checked these are set (jwtSettingProblems); a gap here is a programming error.
  if (!config.authJwtIssuer || !config.authJwtAudience)
    throw new Error('AUTH_MODE=jwt without issuer or audience passed loadConfig');
  const { key, source } = verificationKey(config);
  const policy = {
    algorithm: config.authJwtAlgorithm,
    key,
    issuer: config.authJwtIssuer,
    audience: config.authJwtAudience,
    clockSkewSeconds: config.authJwtClockSkewSeconds,
  };
  logger.info('authentication: JWT bearer tokens', {
    authMode: 'jwt',
    algorithm: policy.algorithm,
    keys: source,
    issuer: policy.issuer,
    audience: policy.audience,
    roleClaim: config.authJwtRoleClaim,
  });
  return bearerAuth(jwtVerifier(policy, config.authJwtRoleClaim));
}

/** The key (or the provider's key set) of the pinned algorithm, and where it came from. */
function verificationKey(config: AuthConfig): { key: JwtPolicy['key']; source: string } {
  const algorithm = config.authJwtAlgorithm;
  if (algorithm === 'HS256') {
    if (config.authJwtSecret)
      return { key: jwtKey(algorithm, config.authJwtSecret), source: 'AUTH_JWT_SECRET' };
  } else if (config.authJwtPublicKey) {
    return { key: jwtKey(algorithm, config.authJwtPublicKey), source: 'AUTH_JWT_PUBLIC_KEY' };
  } else if (config.authJwksUrl) {
    return { key: remoteKeySet(config.authJwksUrl), source: config.authJwksUrl };
  }
  throw new Error(`AUTH_MODE=jwt with ${algorithm} but without its key passed loadConfig`);
}
