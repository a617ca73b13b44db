import type { LinkState } from '../lib/sse';
import type { Twin } from '../lib/twin';

/** The connection dot, with its word next to it (colour is never the only carrier). */
export function StatusDot({ status }: { status: Twin['connection']['status'] }) {
  return (
    <span class={`status ${status}`}>
      <span class="dot" aria-hidden="true" />
      {status}
    </span>
  );
}

const LINK_TEXT: Record<LinkState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
};

export function LinkBadge({ state }: { state: LinkState }) {
  return (
    <span class={`link-state ${state}`} role="status" aria-live="polite">
      {LINK_TEXT[state]}
    </span>
  );
}

export function ErrorLine({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}
