/**
 * `npm start`: the whole of twinfold on one machine. Starts the local Kafka broker (unless
 * KAFKA_BROKERS is set), an MQTT broker (unless MQTT_URL is set or one already answers on
 * 127.0.0.1:1883), then the service (processor + API), the bridge and a device simulator.
 * Ctrl-C stops everything it started, and only that.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { devAuth } from './dev-token';
import { pipePretty } from './pretty-logs';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const children: { name: string; child: ChildProcess }[] = [];
let startedKafka = false;
let stopping = false;

function say(msg: string): void {
  process.stdout.write(`[twinfold] ${msg}\n`);
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

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

function run(name: string, args: string[], env: NodeJS.ProcessEnv, quiet = false): ChildProcess {
  const pretty = !quiet && process.env.LOG_FORMAT !== 'json';
  const child = spawn(args[0]!, args.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', quiet ? 'ignore' : pretty ? 'pipe' : 'inherit', 'inherit'],
  });
  if (pretty && child.stdout) pipePretty(name, child.stdout, process.stdout, process.stdout.isTTY);
  children.push({ name, child });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
  return child;
}

/**
 * The bridge's persistent session queues QoS 1 messages at the broker while the bridge is away or
 * slow; Mosquitto drops them beyond max_queued_messages (default 1000). Same settings as the test
 * harness (test/support/global-setup.ts).
 */
const MOSQUITTO_CONF = [
  'listener 1883 127.0.0.1',
  'allow_anonymous true',
  'persistence false',
  'max_queued_messages 100000',
  '',
];

async function mqttUrl(): Promise<string> {
  if (process.env.MQTT_URL) return process.env.MQTT_URL;
  if (await accepts('127.0.0.1', 1883)) {
    say('using the MQTT broker already listening on 127.0.0.1:1883');
    return 'mqtt://127.0.0.1:1883';
  }
  const dir = join(ROOT, '.cache', 'mosquitto');
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'stack.conf');
  writeFileSync(conf, MOSQUITTO_CONF.join('\n'));
  const child = run('mosquitto', ['mosquitto', '-c', conf], {}, true);
  child.once('error', () => {
    say(
      'mosquitto is not installed: install it (Debian/Ubuntu: apt-get install mosquitto; macOS: brew install mosquitto) or set MQTT_URL',
    );
    void shutdown(1);
  });
  for (let i = 0; i < 50 && !(await accepts('127.0.0.1', 1883)); i++)
    await new Promise((r) => setTimeout(r, 100));
  return 'mqtt://127.0.0.1:1883';
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
  const exits = [...children].reverse().map(({ child }) => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 15000);
    return exited.finally(() => clearTimeout(force));
  });
  await Promise.all(exits);
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
    startedKafka = !(await accepts('127.0.0.1', 9092));
    if (startedKafka) {
      kafkaScript('start');
      watchKafka();
    } else say('using the Kafka broker already listening on 127.0.0.1:9092');
    brokers = '127.0.0.1:9092';
  }
  const mqtt = await mqttUrl();
  const port = process.env.HTTP_PORT ?? '8080';
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = { KAFKA_BROKERS: brokers, MQTT_URL: mqtt, HTTP_PORT: port };
  const auth = devAuth(process.env, join(ROOT, '.cache', 'dev-token'));
  run('service', [process.execPath, join(DIST, 'api', 'main.js')], { ...env, ...auth.env });
  run('bridge', [process.execPath, join(DIST, 'bridge', 'main.js')], env);
  await waitReady(apiUrl);
  const devices = process.env.SIM_DEVICES ?? '10';
  run('simulator', [process.execPath, join(DIST, 'scripts', 'simulator.js')], {
    ...env,
    SIM_DEVICES: devices,
  });
  say(`ready: ${devices} simulated devices publishing over ${mqtt}`);
  say(`open ${apiUrl}/api/v1/twins  (one twin: ${apiUrl}/api/v1/twins/sim-0001)`);
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
