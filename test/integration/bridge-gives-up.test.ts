import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { bridgeTopics } from '../../bridge/kafka-topics';
import { EXIT_CODES } from '../../shared/exit-codes';
import { topicNames } from '../../shared/topics';
import { bridgeTestSetup } from '../support/bridge-env';
import { uniquePrefix } from '../support/env';
import { freePort } from '../support/free-port';
import { createTopics, testKafka } from '../support/kafka';
import { ProcessGroup } from '../support/processes';
import { waitFor } from '../support/wait';

/**
 * A bridge whose downlink consumer gives up for good (kafkajs does not restart a consumer after an
 * error it does not know to be retriable) exits 1, so that npm start's supervisor or Kubernetes
 * starts a fresh one, instead of staying up with /healthz at 503 and nothing delivering. The
 * consumer is made to give up deterministically: a member of its group speaking another
 * assignment protocol is already there, so the broker refuses its join with
 * INCONSISTENT_GROUP_PROTOCOL, which kafkajs does not retry.
 */
jest.setTimeout(120_000);

const processes = new ProcessGroup();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await processes.stopAll();
  for (const c of cleanups.reverse()) await c();
});

/** A group member whose only assignment protocol is one the bridge does not speak. */
const otherProtocol: PartitionAssigner = () => ({
  name: 'NotTheBridgesAssigner',
  version: 1,
  protocol: ({ topics }) => ({
    name: 'NotTheBridgesAssigner',
    metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
  }),
  assign: async ({ members, topics }) =>
    members.map(({ memberId }) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: Object.fromEntries(topics.map((t) => [t, [0]])),
        userData: Buffer.alloc(0),
      }),
    })),
});

describe('a bridge whose downlink consumer gives up', () => {
  it('stops and exits 1 rather than staying up unhealthy', async () => {
    const prefix = uniquePrefix('bridge-gives-up');
    const setup = bridgeTestSetup(prefix);
    const names = topicNames({ topicPrefix: prefix });
    await createTopics(bridgeTopics(names), 1);
    const squatter = testKafka().consumer({
      groupId: `${prefix}app-bridge-downlink`,
      partitionAssigners: [otherProtocol],
    });
    cleanups.push(() => squatter.disconnect());
    await squatter.connect();
    await squatter.subscribe({ topics: [names.downlink] });
    let joined = false;
    squatter.on(squatter.events.GROUP_JOIN, () => (joined = true));
    await squatter.run({ eachMessage: async () => undefined });
    await waitFor('the other member to join', () => joined);

    const bridge = processes.spawn(
      'bridge/main.js',
      { ...setup.env, LOG_LEVEL: 'info', BRIDGE_HTTP_PORT: String(await freePort()) },
      'bridge-gives-up',
    );
    expect(await bridge.exited).toBe(EXIT_CODES.failed);
    expect(bridge.lines.some((l) => l.includes('downlink consumer gave up'))).toBe(true);
  });
});
