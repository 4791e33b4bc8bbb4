import type { Member } from '../../config/schema.js';
import type { Store } from '../ports/store.js';
import { findDuplicateCodes } from '../intake/submit.js';
import type { LookupKeys } from '../privacy/lookup-key.js';
import type { Answers } from '../intake/form.js';
import type { PlanMatrix } from '../plan/types.js';
import { canViewCase } from './access.js';

/** Said in place of a code the registrant may not see: that a record exists, and whom to ask. */
export const HIDDEN_DUPLICATE = '已有相近登记（您无权查看，请向该类别的牵头单位核实）';

export interface DuplicateViewer {
  store: Store;
  lookup: LookupKeys;
  plan: PlanMatrix;
  member: Member | undefined;
  actor: string;
  now: Date;
}

/**
 * The duplicate warning may name an existing case only to someone allowed to see it: typing a
 * child's ID number must not reveal to anyone else that the child is on file, or under which
 * code. Others learn only that a similar record exists and to ask the lead unit; the match is
 * audited, since it is what probing would look like.
 */
export async function visibleDuplicates(v: DuplicateViewer, a: Answers): Promise<string[]> {
  const out: string[] = [];
  let hidden = false;
  for (const code of await findDuplicateCodes(v.store, v.lookup, a)) {
    const c = await v.store.cases.getByCode(code);
    if (c && canViewCase(v.member, c, v.plan)) out.push(code);
    else {
      hidden = true;
      await v.store.audit.append({ at: v.now, actor: v.actor, action: 'denied', caseCode: code, detail: 'duplicate warning: not allowed to see' });
    }
  }
  if (hidden) out.push(HIDDEN_DUPLICATE);
  return out;
}
