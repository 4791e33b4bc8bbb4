import type { AppDeps } from '../src/core/context.js';
import { dropExpiredDrafts } from '../src/domain/intake/session-policy.js';

/** A platform redelivers a message within minutes; a day is ample for the cached reply. */
export const REPLY_CACHE_MS = 24 * 3600_000;
/** Message ids are kept a month to recognise late redeliveries, then dropped. */
export const INBOUND_ID_MS = 30 * 24 * 3600_000;

/**
 * Work that is not tied to a period: run on every scheduler tick, cheap when there is nothing
 * to do. Drafts idle for 7 days are dropped and their users told; cached replies and message
 * ids past their retention (docs/security.md) are dropped.
 */
export function housekeeping(deps: AppDeps): void {
  deps.store.transaction(() => {
    const now = deps.clock.now();
    const n = dropExpiredDrafts(deps.store, now);
    if (n) deps.log.info({ drafts: n }, 'expired drafts dropped');
    const pruned = deps.store.inbound.prune(new Date(now.getTime() - REPLY_CACHE_MS), new Date(now.getTime() - INBOUND_ID_MS));
    if (pruned.replies || pruned.ids) deps.log.info(pruned, 'reply cache pruned');
  });
}
