/**
 * The API token of `npm start`. Authentication stays on for the local stack too (the API listens
 * on all interfaces by default): unless the developer set AUTH_MODE or AUTH_TOKENS, the stack
 * runs with one admin token, kept in .cache/dev-token (mode 0600, git-ignored) and reused across
 * runs so tools configured with it keep working:
 *   curl -H "Authorization: Bearer $(cat .cache/dev-token)" http://127.0.0.1:8080/api/v1/twins
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DevAuth {
  /** Added to the service's environment; empty when the developer configured auth. */
  env: Record<string, string>;
  /** The admin token, when this module chose it. */
  token?: string;
}

function readToken(file: string): string | undefined {
  try {
    const token = readFileSync(file, 'utf8').trim();
    return /^[A-Za-z0-9_-]{32,}$/.test(token) ? token : undefined;
  } catch {
    return undefined;
  }
}

export function devAuth(env: NodeJS.ProcessEnv, file: string): DevAuth {
  if (env.AUTH_MODE !== undefined || env.AUTH_TOKENS !== undefined) return { env: {} };
  let token = readToken(file);
  if (!token) {
    token = randomBytes(24).toString('base64url');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
  }
  return { env: { AUTH_MODE: 'static', AUTH_TOKENS: `${token}:admin` }, token };
}
