import type { ErrorCode } from '../../shared/errors';
import type { TwinFilter } from '../backend';
import type { SseEvent } from '../events/stream-cursor';
import type { ChangeSelector, TwinChange } from '../events/twin-change';

/**
 * Messages the server sends (docs/contract.md "WebSocket"), as JSON text. Every message about a
 * subscription carries `position`: subscribing again with it resumes right after that message.
 */
export type ServerMessageType =
  'authenticated' | 'subscribed' | 'twin_update' | 'twin_deleted' | 'unsubscribed' | 'error';

/** What a subscription is on, as `subscribed` echoes it. */
function target(selector: ChangeSelector): { twin_id: string } | { filter: TwinFilter } {
  return selector.kind === 'twin' ? { twin_id: selector.id } : { filter: selector.filter };
}

export function authenticatedMessage(role: string | undefined): string {
  return JSON.stringify({ type: 'authenticated', ...(role === undefined ? {} : { role }) });
}

export function subscribedMessage(id: string, selector: ChangeSelector, position: string): string {
  return JSON.stringify({ type: 'subscribed', id, ...target(selector), position });
}

export function unsubscribedMessage(id: string, position: string, reason?: string): string {
  return JSON.stringify({ type: 'unsubscribed', id, position, ...(reason === undefined ? {} : { reason }) });
}

export function errorMessage(code: ErrorCode, message: string, id?: string): string {
  return JSON.stringify({ type: 'error', code, message, ...(id === undefined ? {} : { id }) });
}

/**
 * `twin_update` (seed 001 §8.2: type, twin_id, state, timestamp; plus subscription, version and
 * position) or `twin_deleted`. The document is spliced in as the reader's JSON text, not
 * re-serialised: a change reaching hundreds of subscriptions is stringified once.
 */
export function changeMessage(
  subscription: string,
  event: SseEvent,
  change: TwinChange,
): { type: ServerMessageType; text: string } {
  if (change.twin === null || change.twin === undefined || change.json === undefined) {
    const text = JSON.stringify({
      type: 'twin_deleted',
      subscription,
      twin_id: change.id,
      position: event.id,
    });
    return { type: 'twin_deleted', text };
  }
  const { version, updatedAt } = change.twin;
  const head = JSON.stringify({
    type: 'twin_update',
    subscription,
    twin_id: change.id,
    version: typeof version === 'number' ? version : undefined,
    timestamp: typeof updatedAt === 'string' ? updatedAt : undefined,
    position: event.id,
  });
  return { type: 'twin_update', text: `${head.slice(0, -1)},"state":${change.json}}` };
}
