import { SCENARIOS, type ScenarioName } from '../simulator/scenarios';

export interface DatasetArgs {
  scenario: ScenarioName;
  devices: number;
  minutes: number;
  seed: number;
  windowMs: number;
  out: string;
}

/** `--scenario mixed --devices 100 --minutes 30 --seed 1 --window 60s --out data` (those are the defaults). */
export function parseDatasetArgs(argv: readonly string[]): DatasetArgs {
  const get = (flag: string, def: string): string => {
    const i = argv.indexOf(`--${flag}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
  };
  const scenario = get('scenario', 'mixed');
  if (!(SCENARIOS as readonly string[]).includes(scenario))
    throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  const window = /^(\d+)(ms|s|m)$/.exec(get('window', '60s'));
  if (!window) throw new Error('--window must look like 60s, 500ms or 5m');
  const windowMs = Number(window[1]) * (window[2] === 'ms' ? 1 : window[2] === 's' ? 1000 : 60_000);
  const args = {
    scenario: scenario as ScenarioName,
    devices: Number(get('devices', '100')),
    minutes: Number(get('minutes', '30')),
    seed: Number(get('seed', '1')),
    windowMs,
    out: get('out', 'data'),
  };
  if (!(Number.isInteger(args.devices) && args.devices >= 1 && args.minutes > 0))
    throw new Error('--devices must be a whole number >= 1 and --minutes > 0');
  if (!(Number.isInteger(args.seed) && windowMs >= 100))
    throw new Error('--seed must be an integer and --window >= 100ms');
  return args;
}
