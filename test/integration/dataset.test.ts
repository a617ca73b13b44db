import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv } from '../support/env';

jest.setTimeout(180_000);

/**
 * `npm run dataset` through real Kafka and a real service: the same seed gives the same bytes
 * (three runs at once, so each service folds under a different load and fetch order), another
 * seed other bytes. Small: 3 devices, 12 one-second windows of simulated time.
 */
describe('npm run dataset', () => {
  const out = mkdtempSync(join(tmpdir(), 'twinfold-dataset-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  function dataset(seed: number, dir: string): Promise<{ csv: string; jsonl: string; card: string }> {
    const args = ['--scenario', 'mixed', '--devices', '3', '--minutes', '0.2', '--window', '1s'];
    args.push('--seed', String(seed), '--out', join(out, dir));
    return new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [join(__dirname, '..', '..', 'dist', 'scripts', 'dataset.js'), ...args],
        {
          env: { ...process.env, KAFKA_BROKERS: testEnv().kafkaBrokers.join(',') },
          maxBuffer: 16 * 1024 * 1024,
        },
        (_err, stdout, stderr) => {
          if (child.exitCode !== 0) reject(new Error(`dataset exited ${child.exitCode}: ${stdout}${stderr}`));
          else {
            const name = join(out, dir, `behaviour-mixed-seed${seed}-3d-0.2m`);
            const read = (ext: string): string => readFileSync(`${name}.${ext}`, 'utf8');
            try {
              resolve({ csv: read('csv'), jsonl: read('jsonl'), card: read('md') });
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          }
        },
      );
    });
  }

  it('writes the same file twice for one seed, another for another seed', async () => {
    const [a, b, c] = await Promise.all([dataset(3, 'a'), dataset(3, 'b'), dataset(4, 'c')]);
    expect(a.csv.split('\n').length).toBeGreaterThan(3 * 10);
    expect(a.csv.startsWith('# twinfold behaviour dataset scenario=mixed seed=3 ')).toBe(true);
    expect(a.card).toContain('- seed: 3');
    expect(b.csv).toBe(a.csv);
    expect(b.jsonl).toBe(a.jsonl);
    expect(b.card).toBe(a.card);
    expect(c.csv).not.toBe(a.csv);
    expect(c.csv.startsWith('# twinfold behaviour dataset scenario=mixed seed=4 ')).toBe(true);
  });
});
