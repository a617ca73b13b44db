import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, retrying } from './lib/api';
import { useObservable } from './lib/observable';
import { session, signIn, signOut, storedToken, takeTokenFromAddress } from './lib/session';
import { Login } from './views/login';
import { FleetView } from './views/fleet';
import { TwinView } from './views/twin';
import { SystemView } from './views/system';
import './style.css';

type Route = { view: 'fleet' } | { view: 'twin'; id: string } | { view: 'system' };

function parseRoute(hash: string): Route {
  const twin = /^#\/twin\/(.+)$/.exec(hash);
  if (twin?.[1]) return { view: 'twin', id: decodeURIComponent(twin[1]) };
  if (hash === '#/system') return { view: 'system' };
  return { view: 'fleet' };
}

function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** The stored token (or none, when the API runs without authentication) is tried once at start. */
async function resume(): Promise<void> {
  const token = storedToken();
  try {
    await api('/system/health', { token });
    signIn(token);
  } catch {
    signOut(token === null ? undefined : 'The stored token was refused. Enter a valid one.');
  }
}

function RetryBanner() {
  const count = useObservable(retrying);
  if (count === 0) return null;
  return (
    <div class="banner retrying" role="status" aria-live="polite">
      rebalancing, retrying…
    </div>
  );
}

function Shell() {
  const route = useRoute();
  const s = useObservable(session);
  if (s.state === 'unknown') return <p class="loading">Loading…</p>;
  if (s.state === 'login') return <Login reason={s.reason} />;
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          twinfold
        </a>
        <nav aria-label="Views">
          <a href="#/" aria-current={route.view === 'fleet' ? 'page' : undefined}>
            Fleet
          </a>
          <a href="#/system" aria-current={route.view === 'system' ? 'page' : undefined}>
            System
          </a>
        </nav>
        {s.token !== null && (
          <button type="button" class="link" onClick={() => signOut()}>
            Sign out
          </button>
        )}
      </header>
      <RetryBanner />
      <main>
        {route.view === 'fleet' && <FleetView />}
        {route.view === 'twin' && <TwinView key={route.id} id={route.id} />}
        {route.view === 'system' && <SystemView />}
      </main>
    </>
  );
}

takeTokenFromAddress();
void resume();
render(<Shell />, document.getElementById('app')!);
