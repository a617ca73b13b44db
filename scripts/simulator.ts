/**
 * A device simulator: SIM_DEVICES devices publishing seed-001-shaped telemetry over MQTT at
 * SIM_RATE messages per second in total, after announcing themselves online (retained, as real
 * devices do with a last will). Stops cleanly on SIGINT/SIGTERM, marking its devices offline.
 *
 *   SIM_DEVICES=10 SIM_RATE=5 SIM_PREFIX=sim- MQTT_URL=mqtt://127.0.0.1:1883 node dist/scripts/simulator.js
 */
import mqtt from 'mqtt';

interface Reading {
  temperature: number;
  humidity: number;
  battery: number;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`${name} must be a positive integer, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

const devices = intFromEnv('SIM_DEVICES', 10);
const rate = intFromEnv('SIM_RATE', 5);
const prefix = process.env.SIM_PREFIX ?? 'sim-';
const url = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const ids = Array.from({ length: devices }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
const readings = new Map<string, Reading>(
  ids.map((id, i) => [id, { temperature: 20 + (i % 5), humidity: 50 + (i % 20), battery: 100 }]),
);

function nextReading(id: string): Reading {
  const r = readings.get(id)!;
  const walk = (v: number, step: number, min: number, max: number): number =>
    Math.round(Math.min(max, Math.max(min, v + (Math.random() - 0.5) * step)) * 10) / 10;
  const next = {
    temperature: walk(r.temperature, 0.6, -20, 60),
    humidity: walk(r.humidity, 2, 0, 100),
    battery: Math.max(0, Math.round((r.battery - Math.random() * 0.05) * 100) / 100),
  };
  readings.set(id, next);
  return next;
}

const client = mqtt.connect(url, {
  clientId: `twinfold-simulator-${process.pid}`,
  clean: true,
  reconnectPeriod: 1000,
});
let timer: NodeJS.Timeout | undefined;
let sent = 0;

client.on('connect', () => {
  for (const id of ids) client.publish(`device/${id}/status`, 'online', { qos: 1, retain: true });
  let next = 0;
  timer ??= setInterval(() => {
    const id = ids[next++ % ids.length]!;
    const payload = { timestamp: new Date().toISOString(), data: nextReading(id) };
    client.publish(`device/${id}/telemetry`, JSON.stringify(payload), { qos: 1 });
    sent += 1;
  }, 1000 / rate);
  process.stdout.write(
    `${JSON.stringify({ level: 'info', component: 'simulator', msg: 'publishing', devices, rate, url })}\n`,
  );
});
client.on('error', (err) => process.stderr.write(`simulator: ${err.message}\n`));

function stop(): void {
  if (timer) clearInterval(timer);
  for (const id of ids) client.publish(`device/${id}/status`, 'offline', { qos: 1, retain: true });
  client.end(false, {}, () => {
    process.stdout.write(
      `${JSON.stringify({ level: 'info', component: 'simulator', msg: 'stopped', sent })}\n`,
    );
    process.exit(0);
  });
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
