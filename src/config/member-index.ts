/** Members by user id, built once per member list: a town may list thousands of cadres. */
const indexes = new WeakMap<readonly { userid: string }[], Map<string, { userid: string }>>();

export function memberIndex<M extends { userid: string }>(members: readonly M[]): ReadonlyMap<string, M> {
  let index = indexes.get(members) as Map<string, M> | undefined;
  if (!index) {
    index = new Map();
    // The first entry wins, as a search down the list would find it.
    for (const m of members) if (!index.has(m.userid)) index.set(m.userid, m);
    indexes.set(members, index);
  }
  return index;
}
