import { ErrorLine, LinkBadge, StatusDot } from '../components/bits';
import { ago, unitLabel, valueText } from '../lib/format';
import { useNow } from '../lib/observable';
import { useLiveTwin, type TwinEvent } from '../lib/twin-live';
import { healthOf, type Twin } from '../lib/twin';
import { TwinChart } from './twin-chart';
import { TwinCommands } from './twin-commands';
import { DesiredEditor } from './twin-desired';
import { TwinTraits } from './twin-traits';

function Reported({ twin, now }: { twin: Twin; now: number }) {
  const fields = Object.keys(twin.reported).sort();
  return (
    <section class="card" aria-labelledby="reported-title">
      <h2 id="reported-title">Reported</h2>
      {fields.length === 0 ? (
        <p class="empty">Nothing reported yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Value</th>
              <th scope="col">Age</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((f) => {
              const meta = twin.metadata.reported?.[f];
              return (
                <tr key={f}>
                  <th scope="row">{f}</th>
                  <td class="value">
                    {valueText(twin.reported[f], meta?.precision)}{' '}
                    <span class="unit">{unitLabel(meta?.unit)}</span>
                  </td>
                  <td title={meta?.timestamp}>{ago(meta?.timestamp, now)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Events({ events, now }: { events: TwinEvent[]; now: number }) {
  return (
    <section class="card" aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      {events.length === 0 ? (
        <p class="empty">Changes appear here as they happen.</p>
      ) : (
        <ol class="events" aria-live="polite">
          {events.map((e) => (
            <li key={`${e.at}-${e.version}`}>
              <span class="when">{ago(new Date(e.at).toISOString(), now)}</span>
              <span class="version">{e.version === null ? '' : `v${e.version}`}</span>
              <span>{e.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function TwinView({ id }: { id: string }) {
  const live = useLiveTwin(id);
  const now = useNow();
  const { twin } = live;
  const health = twin ? healthOf(twin) : null;
  return (
    <section aria-labelledby="twin-title" class="twin">
      <p>
        <a href="#/">← Fleet</a>
      </p>
      <div class="title-line">
        <h1 id="twin-title">{id}</h1>
        <LinkBadge state={live.link} />
      </div>
      <ErrorLine error={live.error} />
      {twin && (
        <>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{twin.type}</dd>
            <dt>Status</dt>
            <dd>
              <StatusDot status={twin.connection.status} />
            </dd>
            <dt>Lifecycle</dt>
            <dd>{twin.lifecycle}</dd>
            <dt>Last update</dt>
            <dd title={twin.updatedAt}>{ago(twin.updatedAt, now)}</dd>
            <dt>Last seen</dt>
            <dd>{ago(twin.connection.lastSeen, now)}</dd>
            <dt>Version</dt>
            <dd>{twin.version}</dd>
            {health && (
              <>
                <dt>Health</dt>
                <dd class={`health ${health}`}>{health}</dd>
              </>
            )}
          </dl>
          <div class="grid">
            <Reported twin={twin} now={now} />
            <DesiredEditor twin={twin} onWritten={live.refresh} />
            <TwinTraits twin={twin} now={now} />
            <TwinChart twin={twin} series={live.series} />
            <TwinCommands twin={twin} />
            <Events events={live.events} now={now} />
          </div>
        </>
      )}
    </section>
  );
}
