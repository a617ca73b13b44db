import { Observable } from './observable';

const KEY = 'twinfold.token';

export type Session =
  { state: 'unknown' } | { state: 'login'; reason?: string } | { state: 'in'; token: string | null };

function stored(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/**
 * The API token: from `#token=…` in the address (the link `npm start` prints), else from
 * sessionStorage (this tab only, gone when it closes). The fragment never reaches a server; it is
 * removed from the address bar at once.
 */
export function takeTokenFromAddress(): void {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}

export const session = new Observable<Session>({ state: 'unknown' });

export function currentToken(): string | null {
  const s = session.value;
  return s.state === 'in' ? s.token : stored();
}

export function signIn(token: string | null): void {
  if (token === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
  session.set({ state: 'in', token });
}

/** A 401: the token is wrong or gone; back to the login form. */
export function signOut(reason?: string): void {
  sessionStorage.removeItem(KEY);
  session.set(reason === undefined ? { state: 'login' } : { state: 'login', reason });
}

export function storedToken(): string | null {
  return stored();
}
