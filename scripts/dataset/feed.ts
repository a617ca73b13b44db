import type { Admin, Message, Producer } from 'kafkajs';
import { committedTotal, endTotal } from '../../bench/support/kafka';
import type { UplinkRecord } from '../../bridge/uplink-record';

/** How the dataset command hands a scenario's records to the service. */
export interface FeedTarget {
  producer: Producer;
  admin: Admin;
  /** The service's application id (its consumer group). */
  groupId: string;
  /** The input topics the records go to. */
  inputs: readonly string[];
}

/**
 * Produces the records slice by slice (a slice: the records received in one behaviour window, in
 * receive order) and waits after each until the service has committed every input record: a
 * device's window then never sees a record of a later window before its own are folded, whatever
 * order the processor fetches the topics in, so the rows depend on the records alone.
 */
export async function feedInSlices(
  target: FeedTarget,
  slices: readonly (readonly UplinkRecord[])[],
  onSlice: (done: number) => void = () => undefined,
): Promise<void> {
  for (let i = 0; i < slices.length; i++) {
    for (let j = 0; j < slices[i]!.length; j += 2000) {
      const byTopic = new Map<string, Message[]>();
      for (const r of slices[i]!.slice(j, j + 2000)) {
        const list = byTopic.get(r.topic);
        if (list === undefined) byTopic.set(r.topic, [r.message]);
        else list.push(r.message);
      }
      await target.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    }
    await untilConsumed(target);
    onSlice(i + 1);
  }
}

/** Waits until the service's group has committed offsets up to the end of every input topic. */
export async function untilConsumed(target: FeedTarget, timeoutMs = 10 * 60_000): Promise<void> {
  const inputs = [...target.inputs];
  const end = await endTotal(target.admin, inputs);
  const deadline = Date.now() + timeoutMs;
  while ((await committedTotal(target.admin, target.groupId, inputs)) < end) {
    if (Date.now() > deadline) throw new Error(`the service did not consume its input in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
