/** Adds `value` to the list under `key`, creating it. (Copying the list on each add is quadratic:
 * minutes for one mentor with tens of thousands of cases at county size.) */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
