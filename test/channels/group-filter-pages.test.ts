import { describe, expect, it } from 'vitest';
import { SensitiveIndex, type CaseSource } from '../../src/channels/group-filter.js';
import { testConfig } from '../helpers/deps.js';

/** A county's worth of cases behind a source that answers a page at a time, as the store does. */
function county(n: number): CaseSource & { calls: number[] } {
  const name = (i: number) => `欧阳${String.fromCharCode(0x4e00 + i)}`;
  const calls: number[] = [];
  return {
    calls,
    identitySince(id, limit = Infinity) {
      calls.push(id);
      const out = [];
      for (let i = id + 1; i <= n && out.length < limit; i++) out.push({ id: i, names: [name(i)], numbers: [`139${String(i).padStart(8, '0')}`] });
      return out;
    },
  };
}

describe('the group filter index', () => {
  it('reads the cases on file a page at a time, finds every one, and only new ones later', () => {
    const source = county(2_500);
    const index = new SensitiveIndex(source, testConfig());
    index.refresh();
    expect(source.calls).toEqual([0, 1_000, 2_000]);
    expect(index.mask(`欧阳${String.fromCharCode(0x4e00 + 1)}、欧阳${String.fromCharCode(0x4e00 + 2_500)} 13900002500`).text).toBe(
      `欧*${String.fromCharCode(0x4e00 + 1)}、欧*${String.fromCharCode(0x4e00 + 2_500)} 139****2500`,
    );
    index.refresh();
    expect(source.calls.at(-1)).toBe(2_500);
  });
});
