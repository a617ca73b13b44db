import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api';
import { ago, valueText } from '../lib/format';
import { useNow } from '../lib/observable';
import type { Command, Twin } from '../lib/twin';

const OPEN = new Set(['pending', 'delivered']);

function parseParameters(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('parameters must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * The command queue, read again whenever the twin changes (its `commands.pending` moves with every
 * status change) and every 2 s while a command is open; and a form that queues one.
 */
export function TwinCommands({ twin }: { twin: Twin }) {
  const [commands, setCommands] = useState<Command[]>([]);
  const [action, setAction] = useState('');
  const [parameters, setParameters] = useState('');
  const [priority, setPriority] = useState('0');
  const [ttl, setTtl] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [tick, setTick] = useState(0);
  const now = useNow();
  const path = `/twins/${encodeURIComponent(twin.id)}/commands`;

  useEffect(() => {
    let live = true;
    api<{ commands: Command[] }>(path)
      .then(({ data }) => live && setCommands(data.commands))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [path, twin.version, tick]);

  const anyOpen = commands.some((c) => OPEN.has(c.status));
  useEffect(() => {
    if (!anyOpen) return;
    const timer = setInterval(() => setTick((n) => n + 1), 2000);
    return () => clearInterval(timer);
  }, [anyOpen]);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const params = parseParameters(parameters);
      const body: Record<string, unknown> = { action: action.trim(), priority: Number(priority) };
      if (params) body.parameters = params;
      if (ttl.trim()) body.ttl = Number(ttl);
      const { data } = await api<Command>(`/twins/${encodeURIComponent(twin.id)}/command`, {
        method: 'POST',
        body,
      });
      setMessage({ ok: true, text: `Queued ${data.action} (${data.command_id}).` });
      setCommands((list) => [data, ...list.filter((c) => c.command_id !== data.command_id)]);
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };

  return (
    <section class="card wide" aria-labelledby="commands-title">
      <h2 id="commands-title">Commands</h2>
      <form class="command-form" onSubmit={submit}>
        <label>
          Action
          <input
            required
            value={action}
            placeholder="set_interval"
            onInput={(e) => setAction(e.currentTarget.value)}
          />
        </label>
        <label>
          Parameters (JSON)
          <input
            value={parameters}
            placeholder='{"interval": 5}'
            onInput={(e) => setParameters(e.currentTarget.value)}
          />
        </label>
        <label>
          Priority
          <input
            type="number"
            min={0}
            max={9}
            value={priority}
            onInput={(e) => setPriority(e.currentTarget.value)}
          />
        </label>
        <label>
          TTL (s)
          <input
            type="number"
            min={1}
            value={ttl}
            placeholder="default"
            onInput={(e) => setTtl(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Send command</button>
      </form>
      {message && (
        <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {commands.length === 0 ? (
        <p class="empty">No commands.</p>
      ) : (
        <table class="commands">
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Status</th>
              <th scope="col">Parameters</th>
              <th scope="col">Attempts</th>
              <th scope="col">Queued</th>
            </tr>
          </thead>
          <tbody aria-live="polite">
            {commands.map((c) => (
              <tr key={c.command_id} data-command-id={c.command_id}>
                <th scope="row">{c.action}</th>
                <td>
                  <span class={`cmd-status ${c.status}`}>{c.status}</span>
                  {c.ackStatus && c.ackStatus !== 'success' ? ` (${c.ackStatus})` : ''}
                </td>
                <td class="params">{c.parameters ? valueText(c.parameters) : ''}</td>
                <td>{c.attempts ?? 0}</td>
                <td title={c.timestamp}>{ago(c.timestamp, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
