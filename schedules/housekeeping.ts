import type { AppDeps } from '../src/core/context.js';
import { dropExpiredDrafts } from '../src/domain/intake/session-policy.js';
import { CARD_LIFE_MS, OUTCOME_LIFE_MS } from '../src/domain/ports/store.js';

/** A platform redelivers a message within minutes; a day is ample for the cached reply. */
export const REPLY_CACHE_MS = 24 * 3600_000;
/** Message ids are kept a month to recognise late redeliveries, then dropped. */
export const INBOUND_ID_MS = 30 * 24 * 3600_000;

/**
 * Work that is not tied to a period: run on every scheduler tick, cheap when there is nothing
 * to do. Drafts idle for 7 days are dropped and their users told; cached replies and message
 * ids past their retention (docs/security.md) are dropped, and so are expired cards, old
 * conversation turns and dialog outcomes.
 */
export async function housekeeping(deps: AppDeps): Promise<void> {
  await deps.store.transaction(async () => {
    const now = deps.clock.now();
    const n = await dropExpiredDrafts(deps.store, now);
    if (n) deps.log.info({ drafts: n }, 'expired drafts dropped');
    const pruned = await deps.store.inbound.prune(new Date(now.getTime() - REPLY_CACHE_MS), new Date(now.getTime() - INBOUND_ID_MS));
    if (pruned.replies || pruned.ids) deps.log.info(pruned, 'reply cache pruned');
    const cards = await deps.store.cards.prune(now, new Date(now.getTime() - CARD_LIFE_MS));
    if (cards.cards || cards.turns) deps.log.info(cards, 'expired cards pruned');
    const outcomes = await deps.store.outcomes.prune(new Date(now.getTime() - OUTCOME_LIFE_MS));
    if (outcomes) deps.log.info({ outcomes }, 'dialog outcomes pruned');
  });
}
