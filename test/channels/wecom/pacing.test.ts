import { describe, expect, it } from 'vitest';
import { WecomPacer } from '../../../src/channels/wecom/pacing.js';

const t0 = new Date('2026-11-29T02:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('WecomPacer', () => {
  it('allows 30 messages a minute per chat, then waits until the oldest leaves the window', () => {
    const p = new WecomPacer();
    for (let i = 0; i < 30; i++) {
      expect(p.delayForChat('g', at(i * 1000))).toBe(0);
      p.noteSent('g', at(i * 1000));
    }
    expect(p.delayForChat('g', at(30_000))).toBe(30_000); // first send at 0 leaves at 60 s
    expect(p.delayForChat('other', at(30_000))).toBe(0); // per chat
    expect(p.delayForChat('g', at(60_000))).toBe(0);
  });

  it('allows 1000 an hour', () => {
    const p = new WecomPacer();
    // 1000 messages spread so that no minute holds more than 30.
    for (let i = 0; i < 1000; i++) p.noteSent('g', at(i * 3_000));
    const now = at(1000 * 3_000);
    expect(p.delayForChat('g', now)).toBe(60 * 60_000 - 1000 * 3_000); // until the first ages out
  });

  it('a multi-frame message waits until all its frames fit', () => {
    const p = new WecomPacer({ perMinute: 5, perHour: 100 });
    p.noteSent('g', at(0), 2);
    p.noteSent('g', at(10_000), 2);
    expect(p.delayForChat('g', at(20_000), 1)).toBe(0);
    expect(p.delayForChat('g', at(20_000), 2)).toBe(40_000); // the two at 0 s must leave
    expect(p.delayForChat('g', at(20_000), 3)).toBe(40_000);
    expect(p.delayForChat('g', at(20_000), 4)).toBe(40_000 + 10_000); // the ones at 10 s too
    // A burst larger than the window goes once the window is empty.
    expect(p.delayForChat('g', at(20_000), 9)).toBe(50_000);
  });

  it('paces the chat a push will really go to', async () => {
    const p = new WecomPacer({ perMinute: 1, chatOf: async (t) => (t.id === 'never-wrote' ? 'unitGroup' : t.id) });
    p.noteSent('unitGroup', at(0));
    expect(await p.delayFor({ kind: 'user', id: 'never-wrote' }, at(1000))).toBe(59_000);
    expect(await p.delayFor({ kind: 'user', id: 'lisi' }, at(1000))).toBe(0);
    await p.record({ kind: 'user', id: 'lisi' }, at(1000)); // the channel counts, not the worker
    expect(await p.delayFor({ kind: 'user', id: 'lisi' }, at(1000))).toBe(0);
  });
});

describe('WecomPacer: the stricter daily reading for scheduled pushes', () => {
  it('allows 10 scheduled pushes per conversation per China day; replies and interactive pushes are not counted', async () => {
    const p = new WecomPacer();
    const g = { kind: 'chat' as const, id: 'g' };
    const morning = new Date('2026-11-30T01:00:00Z'); // 09:00 in China
    for (let i = 0; i < 10; i++) {
      expect(await p.delayFor(g, morning, true)).toBe(0);
      await p.record(g, morning, true);
    }
    // The 11th waits for midnight in China (16:00 UTC).
    expect(await p.delayFor(g, morning, true)).toBe(new Date('2026-11-30T16:00:00Z').getTime() - morning.getTime());
    expect(await p.delayFor(g, morning, false)).toBe(0);
    expect(await p.delayFor({ kind: 'chat', id: 'other' }, morning, true)).toBe(0);
    expect(await p.delayFor(g, new Date('2026-11-30T16:00:00Z'), true)).toBe(0);
  });
});
