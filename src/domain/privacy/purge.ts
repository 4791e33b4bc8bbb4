import type { Store } from '../ports/store.js';

/**
 * Purge (retention; see docs/security.md) across every table that may hold a copy: the cases lose their
 * identity, the reasons given for viewing them are erased, cached replies and outbox bodies go.
 * Returns the codes anonymised now.
 */
export async function purgeClosedBefore(store: Store, cutoff: Date, now: Date): Promise<string[]> {
  const codes = await store.cases.anonymiseClosedBefore(cutoff, now);
  await store.audit.eraseReasonsOf(codes);
  await store.inbound.forgetReplies();
  await store.cards.forget();
  await store.outcomes.forget();
  await store.outbox.forgetSentBodies();
  await store.outbox.dropUnsentBefore(cutoff);
  return codes;
}
