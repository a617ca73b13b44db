import { ago, valueText } from '../lib/format';
import type { Twin } from '../lib/twin';

/** The document's `traits` section (docs/contract.md "Traits"), read defensively: it is optional. */
interface FieldTraits {
  trend?: string;
  drift?: { perMinute?: number; status?: string };
  stability?: { percent?: number; status?: string };
  freshness?: { status?: string };
  forecast?: { horizonMinutes?: number; value?: number } | null;
  health?: { score?: number; status?: string };
  maintenance?: { status?: string; recommendedAction?: string } | null;
}

interface Alert {
  id?: string;
  field?: string;
  type?: string;
  severity?: string;
  message?: string;
  raisedAt?: string;
}

interface Traits {
  health?: { score?: number; status?: string; issues?: string[] };
  fields?: Record<string, FieldTraits>;
  alerts?: Alert[];
}

const obj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const fixed = (n: number | undefined, digits = 1): string => (n === undefined ? '—' : n.toFixed(digits));

function HealthBadge({ health }: { health: { score?: number; status?: string } | undefined }) {
  if (!health?.status) return <>—</>;
  return (
    <span class={`health ${health.status}`}>
      {health.status}
      {health.score === undefined ? '' : ` ${health.score}`}
    </span>
  );
}

/** Health, per-field traits and open alerts: labelled tables, never a JSON dump. */
export function TwinTraits({ twin, now }: { twin: Twin; now: number }) {
  const traits = (obj(twin.traits) ? twin.traits : {}) as Traits;
  const fields = obj(traits.fields) ? Object.entries(traits.fields) : [];
  const alerts = Array.isArray(traits.alerts)
    ? traits.alerts
    : Array.isArray(twin.alerts)
      ? (twin.alerts as Alert[])
      : [];
  if (!traits.health && fields.length === 0 && alerts.length === 0) return null;
  return (
    <section class="card wide" aria-labelledby="traits-title">
      <h2 id="traits-title">Health and alerts</h2>
      {traits.health && (
        <p>
          Health: <HealthBadge health={traits.health} />
          {traits.health.issues?.length ? ` — ${traits.health.issues.join('; ')}` : ''}
        </p>
      )}
      {fields.length > 0 && (
        <table aria-label="Traits per field">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Health</th>
              <th scope="col">Trend</th>
              <th scope="col">Drift /min</th>
              <th scope="col">Stability</th>
              <th scope="col">Freshness</th>
              <th scope="col">Forecast</th>
              <th scope="col">Maintenance</th>
            </tr>
          </thead>
          <tbody>
            {fields.map(([name, f]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>
                  <HealthBadge health={f.health} />
                </td>
                <td>{f.trend ?? '—'}</td>
                <td>
                  {fixed(f.drift?.perMinute, 3)} {f.drift?.status === 'DRIFTING' ? '(drifting)' : ''}
                </td>
                <td>{f.stability?.percent === undefined ? '—' : `${fixed(f.stability.percent)} %`}</td>
                <td>{f.freshness?.status ?? '—'}</td>
                <td>
                  {f.forecast?.value === undefined
                    ? '—'
                    : `${fixed(f.forecast.value, 2)} in ${f.forecast.horizonMinutes ?? '?'} min`}
                </td>
                <td>
                  {f.maintenance ? `${f.maintenance.status} (${f.maintenance.recommendedAction})` : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {alerts.length > 0 ? (
        <ul class="alerts" aria-label="Open alerts">
          {alerts.map((a, i) => (
            <li key={a.id ?? i} class={`severity ${a.severity ?? ''}`}>
              <strong>{a.severity ?? 'ALERT'}</strong> {a.type} {a.field ? `on ${a.field}` : ''}:{' '}
              {a.message ?? valueText(a)} <span class="when">{a.raisedAt ? ago(a.raisedAt, now) : ''}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="converged">No open alerts.</p>
      )}
    </section>
  );
}
