import { replayScenario } from '../../../bench/behaviour-detection';
import { openAlertsOf } from '../../../api/routes/health-summary';
import { filterableState, matchesFilter } from '../../../api/twin-filter';
import { parseTwinFilter } from '../../../api/validate';
import { isGrave, toTwinDocument, type TwinState } from '../../../topology/twin';

const W = 1000;

describe('behaviour alerts in the fleet alerts and the alert= filter', () => {
  // Beaconing episodes run to the end (8 warm-up windows, 3 episode windows): their alerts are open.
  const replay = replayScenario('beaconing', { seed: 3, devices: 3, durationMs: 12 * W, windowMs: W });
  const twins = [...replay.twins.values()].filter((t): t is TwinState => !isGrave(t));

  it('lists every open behaviour alert in GET /alerts', () => {
    const alerts = twins.flatMap(openAlertsOf);
    expect(alerts.length).toBe(3);
    for (const a of alerts) expect(a).toMatchObject({ type: 'BEACONING', field: null, twinType: 'unknown' });
    expect(alerts.map((a) => a.id).every((id) => /:b:\d+$/.test(id))).toBe(true);
  });

  it('matches alert=BEACONING and alert=any, on stored twins and on documents', () => {
    for (const alert of ['BEACONING', 'any']) {
      const filter = parseTwinFilter({ alert });
      expect(twins.filter((t) => matchesFilter(filter, filterableState(filter, t))).length).toBe(3);
      expect(twins.map((t) => toTwinDocument(t)).filter((d) => matchesFilter(filter, d)).length).toBe(3);
    }
    const spike = parseTwinFilter({ alert: 'TRAFFIC_SPIKE' });
    expect(twins.filter((t) => matchesFilter(spike, filterableState(spike, t)))).toEqual([]);
  });
});
