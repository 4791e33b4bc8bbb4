/**
 * Small-count suppression for anything sent to a group (docs/domain-rules.md §3.3 P4): 1 and 2 are shown
 * as «<3» so a child cannot be picked out of a village or unit tally. Zero identifies no one and
 * is shown as is.
 */
export const SMALL_COUNT = '<3';

export function groupCount(n: number): string {
  return n > 0 && n < 3 ? SMALL_COUNT : String(n);
}
