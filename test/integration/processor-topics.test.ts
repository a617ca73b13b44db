import { createTopics, testKafka } from '../support/kafka';
import { deployment, type Deployment } from '../support/stack';

describe('processor: topic set-up', () => {
  let d: Deployment;
  afterEach(async () => d?.cleanup());

  it('creates missing topics with the configured partitions, compacting device.twins and the changelog', async () => {
    d = deployment('topics-create', { PARTITIONS: '3' });
    const proc = d.processes.spawn('api/main.js', { ...d.env, HTTP_PORT: '0', STATE_DIR: d.stateDir('a') });
    await proc.waitForLine(/"processor started"/);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const names = [
        'device.telemetry',
        'device.registry',
        'device.twins',
        'device.dlq',
        'app-twin-store-changelog',
      ].map((t) => `${d.prefix}${t}`);
      const meta = await admin.fetchTopicMetadata({ topics: names });
      for (const t of meta.topics) expect(t.partitions).toHaveLength(3);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          `${d.prefix}device.twins`,
          `${d.prefix}app-twin-store-changelog`,
          `${d.prefix}device.telemetry`,
        ].map((name) => ({ type: 2, name })),
      });
      const policy = (name: string) =>
        configs.resources
          .find((r) => r.resourceName === name)!
          .configEntries.find((c) => c.configName === 'cleanup.policy')!.configValue;
      expect(policy(`${d.prefix}device.twins`)).toBe('compact');
      expect(policy(`${d.prefix}app-twin-store-changelog`)).toBe('compact');
      expect(policy(`${d.prefix}device.telemetry`)).toBe('delete');
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses to start, saying why, when the input topics are not co-partitioned', async () => {
    d = deployment('topics-refuse', { PARTITIONS: '4' });
    await createTopics([`${d.prefix}device.telemetry`], 4);
    await createTopics([`${d.prefix}device.state`], 2);
    const proc = d.processes.spawn('api/main.js', { ...d.env, HTTP_PORT: '0', STATE_DIR: d.stateDir('a') });
    expect(await proc.exited).toBe(1);
    const output = proc.lines.join('\n');
    expect(output).toMatch(/not co-partitioned/);
    expect(output).toContain(`${d.prefix}device.telemetry=4`);
    expect(output).toContain(`${d.prefix}device.state=2`);
  });
});
