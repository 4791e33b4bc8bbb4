import { describe, expect, it } from 'vitest';
import { CardRegistry } from '../../../src/channels/wecom/card-registry.js';
import { silentLogger } from '../../../src/core/log.js';
import type { CardRepo, ConversationTurn } from '../../../src/domain/ports/store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Turns kept as the store keeps them, read and written with a delay like a database's. */
function slowRepo(stored: ConversationTurn | undefined) {
  const saved: number[] = [];
  let last = stored;
  let writes = 0;
  const repo: CardRepo = {
    save: async () => {},
    get: async () => undefined,
    saveTurn: async (_chat, _user, t) => {
      // The first write is the slowest: a later one must still not land before it.
      await sleep(writes++ === 0 ? 40 : 5);
      saved.push(t.turn);
      last = t;
    },
    turn: async () => {
      await sleep(20);
      return last;
    },
    prune: async () => ({ cards: 0, turns: 0 }),
    forget: async () => 0,
  };
  return { repo, saved, last: () => last };
}

const at = new Date('2026-11-20T02:00:00Z');

describe('card registry over an asynchronous store', () => {
  it('two turns noted at once, while the last one is read from the store, follow each other', async () => {
    const { repo, last } = slowRepo({ turn: 5, key: null, reply: null, at });
    const reg = new CardRegistry(repo, (fn) => fn(), silentLogger);
    const turns = await Promise.all([reg.noteTurn('lisi', 'lisi', { text: '一' }, at), reg.noteTurn('lisi', 'lisi', { text: '二' }, at)]);
    expect(turns).toEqual([6, 7]);
    expect((await reg.turn('lisi', 'lisi'))?.turn).toBe(7);
    await reg.flush();
    expect(last()?.turn).toBe(7);
  });

  it('the flush on stopping waits for the batch already being written, and batches are written in order', async () => {
    const { repo, saved } = slowRepo(undefined);
    const reg = new CardRegistry(repo, (fn) => fn(), silentLogger);
    await reg.noteTurn('lisi', 'lisi', { text: '一' }, at);
    // The first batch starts on the next turn of the event loop and is still being written…
    await new Promise((r) => setImmediate(r));
    await reg.noteTurn('lisi', 'lisi', { text: '二' }, at);
    // …when the channel stops: what it waits for includes that batch, and the later turn lands last.
    await reg.flush();
    expect(saved).toEqual([1, 2]);
  });
});
