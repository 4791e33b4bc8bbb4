import { randomBytes } from 'node:crypto';

/**
 * Ids that a bot must never reuse (stream ids, card task ids): the start time, a random tag drawn
 * once per process, and a counter. Unique across restarts without asking the system for random
 * bytes on every reply, which showed in the turn profile.
 */
const processTag = randomBytes(4).toString('hex');
let counter = 0;

/** `${prefix}_<ms since epoch, base 36>_<process tag><counter, base 36>`: letters, digits and `_` only. */
export function uniqueId(prefix: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}_${Date.now().toString(36)}_${processTag}${counter.toString(36)}`;
}
