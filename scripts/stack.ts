/**
 * `npm start`: the whole of twinfold on one machine. Starts the local Kafka broker (unless
 * KAFKA_BROKERS is set), an MQTT broker (unless MQTT_URL is set or one already answers on
 * 127.0.0.1:1883), then the service (processor + API), the bridge and a device simulator.
 * Ctrl-C stops everything it started, and only that.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from '../bench/support/ports';
import { devAuth } from './dev-token';
import { randomPassword, tcpAccepts, waitForListener, writeMosquittoFiles } from './mosquitto';
import { Supervisor } from './supervisor';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
let startedKafka = false;
let stopping = false;

function say(msg: string): void {
  process.stdout.write(`[twinfold] ${msg}\n`);
}

const supervisor = new Supervisor(say, (reason) => {
  say(`${reason}; stopping the stack`);
  void shutdown(1);
});

function kafkaScript(command: 'start' | 'stop'): void {
  execFileSync('bash', [join(ROOT, 'scripts', 'kafka.sh'), command], { stdio: 'inherit' });
}

/**
 * The broker runs in its own session (so Ctrl-C reaches it only through `stop`); this detached
 * watchdog stops it if this launcher dies without cleaning up (SIGKILL, a closed terminal).
 */
function watchKafka(): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; bash '${join(ROOT, 'scripts', 'kafka.sh')}' stop`;
  spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

/** The MQTT broker's URL and the credentials the bridge and the simulator connect with. */
interface MqttSetup {
  url: string;
  bridgeEnv: NodeJS.ProcessEnv;
  simulatorEnv: NodeJS.ProcessEnv;
}

/** npm start only: the simulator speaks for every device over a few pooled connections. */
const SIMULATOR_ACL = [
  '# Added by npm start: the simulator publishes and listens for every device.',
  'user twinfold-simulator',
  ...['telemetry', 'state', 'status', 'ack', 'error'].map((k) => `topic write device/+/${k}`),
  'topic read device/+/command',
  'topic read device/+/desired',
];

/**
 * MQTT_URL when set (its limits are the operator's business: say which ones matter). Otherwise a
 * Mosquitto of our own with the shipped configuration (deploy/mosquitto/), on 1883 or, when
 * another broker holds that port, on a free one: a broker whose max_queued_messages we cannot see
 * is never used silently (Debian's default of 1000 lost 17,866 of 20,000 acknowledged messages).
 */
async function mqttBroker(): Promise<MqttSetup> {
  const url = process.env.MQTT_URL;
  if (url) {
    say(
      `using MQTT_URL=${url}: make sure that broker queues enough for the bridge's session ` +
        '(max_queued_messages, max_queued_bytes) and restricts devices with an ACL, as deploy/mosquitto/ does; ' +
        'the bridge logs an error the moment the broker reports a dropped message',
    );
    return { url, bridgeEnv: {}, simulatorEnv: {} };
  }
  let port = 1883;
  if (await tcpAccepts('127.0.0.1', port)) {
    port = await freePort();
    say(
      `another MQTT broker listens on 127.0.0.1:1883; not using it (twinfold cannot see its max_queued_messages, ` +
        `which defaults to 1000); starting Mosquitto with deploy/mosquitto/mosquitto.conf on port ${port}`,
    );
  }
  const bridge = { username: 'twinfold-bridge', password: randomPassword() };
  const simulator = { username: 'twinfold-simulator', password: randomPassword() };
  const conf = writeMosquittoFiles({
    dir: join(ROOT, '.cache', 'mosquitto', 'stack'),
    port,
    auth: { users: [bridge, simulator], extraAcl: SIMULATOR_ACL },
  });
  // Its connection lines would drown the twinfold logs: they go to a file next to its config.
  appendFileSync(conf, `log_dest file ${join(dirname(conf), 'mosquitto.log')}\n`);
  supervisor.start({ name: 'mosquitto', args: ['mosquitto', '-c', conf], env: {}, quiet: true });
  await waitForListener(port);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    bridgeEnv: { MQTT_USERNAME: bridge.username, MQTT_PASSWORD: bridge.password },
    simulatorEnv: { MQTT_USERNAME: simulator.username, MQTT_PASSWORD: simulator.password },
  };
}

async function waitReady(url: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping');
  await supervisor.stopAll();
  if (startedKafka) kafkaScript('stop');
  say('stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // A closed terminal: clean up all the same (and do not die half-way through a Ctrl-C shutdown).
  process.on('SIGHUP', () => void shutdown(0));
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    startedKafka = !(await tcpAccepts('127.0.0.1', 9092));
    if (startedKafka) {
      kafkaScript('start');
      watchKafka();
    } else say('using the Kafka broker already listening on 127.0.0.1:9092');
    brokers = '127.0.0.1:9092';
  }
  const mqtt = await mqttBroker();
  const port = process.env.HTTP_PORT ?? '8080';
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = { KAFKA_BROKERS: brokers, MQTT_URL: mqtt.url, HTTP_PORT: port };
  const auth = devAuth(process.env, join(ROOT, '.cache', 'dev-token'));
  const node = (script: string): string[] => [process.execPath, join(DIST, script)];
  supervisor.start({ name: 'service', args: node('api/main.js'), env: { ...env, ...auth.env } });
  supervisor.start({ name: 'bridge', args: node('bridge/main.js'), env: { ...env, ...mqtt.bridgeEnv } });
  // The Eclipse Hono adapter only when told which tenants to read (it reads HONO_* from the environment).
  if (process.env.HONO_TENANTS) supervisor.start({ name: 'hono', args: node('adapters/hono/main.js'), env });
  await waitReady(apiUrl);
  const devices = process.env.SIM_DEVICES ?? '10';
  supervisor.start({
    name: 'simulator',
    args: node('scripts/simulator.js'),
    env: { ...env, ...mqtt.simulatorEnv, SIM_DEVICES: devices },
  });
  say(`ready: ${devices} simulated devices publishing over ${mqtt.url}`);
  // The token rides in the fragment, which the browser never sends: one click, signed in.
  say(`open the dashboard: ${apiUrl}/${auth.token ? `#token=${auth.token}` : ''}`);
  say(`the API: ${apiUrl}/api/v1/twins  (one twin: ${apiUrl}/api/v1/twins/sim-0001)`);
  if (auth.token) {
    say('the API wants a bearer token; an admin token is in .cache/dev-token:');
    say(`  curl -s -H "Authorization: Bearer $(cat .cache/dev-token)" ${apiUrl}/api/v1/twins/sim-0001`);
  }
  say('press Ctrl-C to stop everything');
}

main().catch((err: unknown) => {
  say(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1);
});
