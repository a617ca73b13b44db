import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv } from '../support/env';

// A project's testTimeout in jest.config.js is not applied (jestjs/jest#9696), so set it here.
jest.setTimeout(300_000);

interface Results {
  quick: boolean;
  results: {
    bench: string;
    error?: string;
    figures: { name: string; value: number | null; optional?: boolean }[];
  }[];
}

/**
 * `npm run bench -- --quick` against the test brokers: every benchmark runs with tiny sizes and
 * produces every figure. Nothing about speed is asserted.
 */
describe('bench --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'twinfold-bench-quick-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('produces every figure of every benchmark', async () => {
    const { kafkaBrokers, mqttUrl } = testEnv();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(__dirname, '..', '..', 'dist', 'bench', 'run.js'), '--quick'],
        {
          env: {
            ...process.env,
            KAFKA_BROKERS: kafkaBrokers.join(','),
            MQTT_URL: mqttUrl,
            BENCH_RESULTS_DIR: out,
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, output: `${stdout}${stderr}` }),
      );
    });
    if (code !== 0) throw new Error(`bench --quick exited ${code}:\n${output.slice(-4000)}`);

    const run = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Results;
    expect(run.quick).toBe(true);
    expect(run.results.map((r) => r.bench)).toEqual(
      expect.arrayContaining([
        'fold',
        'e2e exactly_once',
        'e2e at_least_once',
        'e2e max rate (exactly_once)',
        'api',
        'restore',
        'memory',
        'hot device',
        'history',
        'websocket fan-out',
      ]),
    );
    const failed = run.results.filter((r) => r.error).map((r) => `${r.bench}: ${r.error}`);
    expect(failed).toEqual([]);
    const missing = run.results.flatMap((r) =>
      r.figures.filter((f) => !f.optional && typeof f.value !== 'number').map((f) => `${r.bench}: ${f.name}`),
    );
    expect(missing).toEqual([]);
  });
});
