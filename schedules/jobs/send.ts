import type { PushTarget } from '../../src/domain/model/message.js';
import type { JobContext } from '../job.js';
import { targetKey } from './recipients.js';

/**
 * Queues one scheduled message. The dedupe key names job, period and target, so even outside the
 * (job, period) record a period's message to one person or group can exist only once.
 */
export async function push(ctx: JobContext, job: string, target: PushTarget, text: string, topic = 'main'): Promise<boolean> {
  const key = `job:${job}:${ctx.period}:${topic}:${targetKey(target)}`;
  return await ctx.store.outbox.enqueue({ target, reply: { text }, reason: `job.${job}`, dedupeKey: key }, ctx.clock.now()) !== null;
}
