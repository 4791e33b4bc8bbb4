import type { AppDeps } from '../handlers/types.js';
import { dropExpiredDrafts } from '../handlers/intake.js';

/**
 * Work that is not tied to a period: run on every scheduler tick, cheap when there is nothing
 * to do. Drafts idle for 7 days are dropped and their users told.
 */
export function housekeeping(deps: AppDeps): void {
  deps.store.transaction(() => {
    const n = dropExpiredDrafts(deps.store, deps.clock.now());
    if (n) deps.log.info({ drafts: n }, 'expired drafts dropped');
  });
}
