import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { readRepoFile, REPO_ROOT } from '../../support/dockerfile';
import { composeReferenceProblems, composeSchemaProblems, parseCompose } from './compose-checks';

/** Debian's docker-compose (1.29) reads and validates a compose file without a Docker engine. */
const dockerCompose = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'docker-compose'))
  .find((p) => existsSync(p));
const SECRETS = {
  TWINFOLD_AUTH_TOKENS: 'x:admin',
  TWINFOLD_MQTT_PASSWORD: 'p',
  TWINFOLD_SIMULATOR_PASSWORD: 's',
};

function composeConfig(file: string): { status: number | null; stderr: string } {
  const r = spawnSync(dockerCompose!, ['--project-directory', REPO_ROOT, '-f', file, 'config', '--quiet'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...SECRETS },
    timeout: 60000,
  });
  return { status: r.status, stderr: r.stderr };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- mutating parsed YAML in tests

describe('docker-compose.yml, offline (the Compose specification schema)', () => {
  const text = readRepoFile('docker-compose.yml');
  const fresh = (): Json => parseCompose(text);

  it('conforms to the Compose specification and its references hold', () => {
    const compose = fresh();
    expect(composeSchemaProblems(compose)).toEqual([]);
    expect(composeReferenceProblems(compose)).toEqual([]);
  });

  it('runs Kafka in KRaft mode, Mosquitto with the repository config, two instances, the bridge, the simulator behind a profile', () => {
    const { services, volumes } = fresh();
    expect(services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.mosquitto.volumes).toContain(
      './deploy/mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro',
    );
    expect(services['mosquitto-init'].volumes).toContain('./deploy/mosquitto/acl:/src/acl:ro');
    expect(services.mosquitto.command).toEqual(['mosquitto', '-c', '/mosquitto/config/mosquitto.conf']);
    const twinfold = Object.keys(services).filter((s) => /^twinfold-\d$/.test(s));
    expect(twinfold).toHaveLength(2);
    for (const s of twinfold) {
      expect(services[s].environment.ADVERTISED_URL).toBe(`http://${s}:8080`);
      expect(services[s].depends_on.kafka.condition).toBe('service_healthy');
      expect(services[s].volumes[0]).toMatch(/^twinfold-\d-state:\/var\/lib\/twinfold$/);
    }
    expect(services.bridge.command).toEqual(['dist/bridge/main.js']);
    expect(services.simulator.profiles).toEqual(['simulator']);
    expect(Object.keys(volumes)).toEqual(
      expect.arrayContaining(['kafka-data', 'twinfold-1-state', 'twinfold-2-state']),
    );
  });

  (dockerCompose ? it : it.skip)(
    'is read by docker-compose itself, which also refuses a misspelt field',
    () => {
      expect(composeConfig(join(REPO_ROOT, 'docker-compose.yml'))).toEqual({ status: 0, stderr: '' });
      const dir = mkdtempSync(join(tmpdir(), 'twinfold-compose-'));
      try {
        const broken = join(dir, 'docker-compose.yml');
        writeFileSync(broken, text.replace('    stop_grace_period: 30s\n', '    stop_grace_perod: 30s\n'));
        const result = composeConfig(broken);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toMatch(/stop_grace_perod/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
  if (!dockerCompose)
    process.stderr.write(
      '\n*** docker-compose not installed: its own reading of the file is skipped ***\n\n',
    );

  describe('each check rejects a deliberate mistake', () => {
    it('a misspelt service field (healthchek)', () => {
      const compose = fresh();
      compose.services.bridge.healthchek = compose.services.bridge.healthcheck;
      delete compose.services.bridge.healthcheck;
      expect(composeSchemaProblems(compose).join('\n')).toMatch(
        /\/services\/bridge must NOT have additional properties .*healthchek/,
      );
      expect(composeReferenceProblems(compose)).toContain(
        'simulator: waits for bridge to be healthy, but bridge has no healthcheck',
      );
    });

    it('a misspelt depends_on condition, a malformed duration and a malformed port', () => {
      const compose = fresh();
      compose.services['twinfold-1'].depends_on.kafka.condition = 'service_healty';
      compose.services.kafka.healthcheck.interval = '10 seconds';
      compose.services['twinfold-2'].ports = ['8081;8080'];
      const problems = composeSchemaProblems(compose).join('\n');
      expect(problems).toMatch(/depends_on\/kafka\/condition must be equal to one of the allowed values/);
      expect(problems).toMatch(/\/services\/kafka\/healthcheck\/interval must match format "duration"/);
      expect(problems).toMatch(/\/services\/twinfold-2\/ports\/0 must match format "ports"/);
    });

    it('an undeclared named volume and a dependency on a missing service', () => {
      const compose = fresh();
      delete compose.volumes['twinfold-2-state'];
      compose.services.bridge.depends_on.kafak = { condition: 'service_healthy' };
      expect(composeReferenceProblems(compose)).toEqual([
        'twinfold-2: volume twinfold-2-state is not declared under volumes',
        'bridge: depends on unknown service kafak',
      ]);
    });
  });
});
