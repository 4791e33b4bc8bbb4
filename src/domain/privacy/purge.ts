import type { Store } from '../ports/store.js';

/**
 * Purge (retention; see docs/security.md) across every table that may hold a copy: the cases lose their
 * identity, the reasons given for viewing them are erased, cached replies and outbox bodies go.
 * Returns the codes anonymised now.
 */
export function purgeClosedBefore(store: Store, cutoff: Date, now: Date): string[] {
  const codes = store.cases.anonymiseClosedBefore(cutoff, now);
  store.audit.eraseReasonsOf(codes);
  store.inbound.forgetReplies();
  store.cards.forget();
  store.outcomes.forget();
  store.outbox.forgetSentBodies();
  store.outbox.dropUnsentBefore(cutoff);
  return codes;
}
