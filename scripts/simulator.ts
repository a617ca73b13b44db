/**
 * The device simulator CLI: N devices sending telemetry in the contract's message formats at a total rate, with a
 * share of state, status and error messages, acks to the commands they receive, state reports
 * after desired changes, anomalies (spikes, stuck values, drift), offline periods and dropped
 * connections; over MQTT (through the bridge) or straight into Kafka. `npm start` runs it.
 *
 *   node dist/scripts/simulator.js --devices 1000 --rate 500 [--transport kafka] [--duration 60]
 *   SIM_DEVICES=10 SIM_RATE=5 MQTT_URL=mqtt://127.0.0.1:1883 node dist/scripts/simulator.js
 *   node dist/scripts/simulator.js --scenario beaconing --devices 5 --window 60 --client-id sim-1
 *
 * `--scenario` plays a labelled behaviour scenario (scripts/simulator/scenarios.ts) over MQTT 5
 * instead of the fleet; the bridge keeps its labels when LABEL_CLIENT_IDS lists `--client-id`.
 * `--help` lists every flag. SIGINT/SIGTERM (or the end of --duration) stops it cleanly: its
 * devices say offline, and the totals are printed as one JSON line.
 */
import { EXIT_CODES } from '../shared/exit-codes';
import { parseOptions, usage, type CliOptions } from './simulator/options';
import { playScenario } from './simulator/scenario-cli';
import { Simulator } from './simulator/simulator';

function log(msg: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level: 'info', component: 'simulator', msg, ...fields })}\n`);
}

function readOptions(): CliOptions {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    process.exit(EXIT_CODES.ok);
  }
  try {
    return parseOptions(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage()}`);
    process.exit(EXIT_CODES.invalidConfiguration);
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options.scenario !== '') {
    log('playing scenario', { scenario: options.scenario, devices: options.devices, url: options.mqttUrl });
    log('played', { scenario: options.scenario, ...(await playScenario(options)) });
    process.exit(EXIT_CODES.ok);
  }
  const simulator = new Simulator(options);
  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const stats = await simulator.stop();
    log('stopped', { reason, ...stats });
    process.exit(EXIT_CODES.ok);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await simulator.start();
  const { devices, rate, transport } = options;
  const target = transport === 'mqtt' ? options.mqttUrl : options.kafkaBrokers.join(',');
  log('publishing', { devices, rate, transport, url: target });
  if (options.statsEverySeconds > 0) {
    setInterval(() => log('progress', { ...simulator.stats() }), options.statsEverySeconds * 1000).unref();
  }
  if (options.durationSeconds > 0) setTimeout(() => void stop('duration'), options.durationSeconds * 1000);
}

main().catch((err: unknown) => {
  process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT_CODES.failed);
});
