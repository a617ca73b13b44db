/** The twin document as docs/contract.md ("The twin document") defines it; traits once they exist. */
export interface FieldMeta {
  timestamp?: string;
  version?: number;
  unit?: string;
  precision?: number;
}

export interface Twin {
  id: string;
  type: string;
  lifecycle: string;
  connection: { status: 'online' | 'offline' | 'unknown'; since: string | null; lastSeen: string | null };
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  delta: Record<string, unknown>;
  metadata: { reported?: Record<string, FieldMeta>; desired?: Record<string, FieldMeta> };
  attributes: Record<string, string | number | boolean>;
  version: number;
  commands?: { pending?: number };
  traits?: Record<string, unknown>;
  alerts?: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface TwinPage {
  count: number;
  twins: Twin[];
  nextCursor: string | null;
}

export interface Command {
  command_id: string;
  action: string;
  parameters?: Record<string, unknown>;
  priority?: number;
  status: string;
  ackStatus?: string;
  error?: string;
  attempts?: number;
  timestamp: string;
  updatedAt?: string;
}

/** `traits.health` when another part of twinfold computes it: a word, or an object with one. */
export function healthOf(twin: Twin): string | null {
  const health = twin.traits?.health;
  if (typeof health === 'string') return health;
  if (typeof health === 'number') return String(health);
  if (health && typeof health === 'object') {
    const h = health as Record<string, unknown>;
    for (const key of ['status', 'state', 'level', 'score']) {
      const v = h[key];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    }
  }
  return null;
}

export function deltaSize(twin: Twin): number {
  return twin.delta ? Object.keys(twin.delta).length : 0;
}
