import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

const now = new Date('2026-11-29T02:00:00Z');

afterEach(cleanupStores);

// What every adapter must do alike; adapter-specific behaviour is in sqlite-store / postgres-store tests.
describe.each(storeKinds)('store contract ($name)', (kind: StoreKind) => {
  it('claims each inbound message id once per channel and remembers the replies', async () => {
    const store = await kind.open();
    const rec = { id: 'm1', channel: 'wecom', userId: 'u', chatId: 'u' };
    expect(await store.inbound.claim(rec, now)).toBe(true);
    expect(await store.inbound.claim(rec, now)).toBe(false);
    expect(await store.inbound.claim({ ...rec, channel: 'console' }, now)).toBe(true);
    await store.inbound.saveReplies('wecom', 'm1', [{ text: '好' }]);
    expect(await store.inbound.replies('wecom', 'm1')).toEqual([{ text: '好' }]);
    expect(await store.inbound.replies('wecom', 'nope')).toBeUndefined();
  });

  it('rolls back every write of a failed transaction', async () => {
    const store = await kind.open();
    await expect(
      store.transaction(async () => {
        await store.inbound.claim({ id: 'x', channel: 'c', userId: 'u', chatId: 'u' }, now);
        await store.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 't' }, reason: 'test' }, now);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.outbox.pending()).toBe(0);
    expect(await store.inbound.claim({ id: 'x', channel: 'c', userId: 'u', chatId: 'u' }, now)).toBe(true);
  });

  it('rolls back only the inner part when a nested transaction fails', async () => {
    const store = await kind.open();
    await store.transaction(async () => {
      await store.chats.touch('outer', 'group', 'u', now);
      await expect(
        store.transaction(async () => {
          await store.chats.touch('inner', 'group', 'u', now);
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
    });
    expect((await store.chats.list()).map((c) => c.chatId)).toEqual(['outer']);
  });

  it('a call made inside a transaction, however deep, is part of it', async () => {
    const store = await kind.open();
    const deep = async () => {
      await Promise.resolve();
      await store.chats.touch('deep', 'group', 'u', now);
    };
    await expect(
      store.transaction(async () => {
        await deep();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.chats.list()).toEqual([]);
  });

  it('outbox: due order, dedupe keys, sent rows never come back, failures retry later', async () => {
    const store = await kind.open();
    const a = await store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'a' }, reason: 'r', dedupeKey: 'k1' }, now);
    const b = await store.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 'b' }, reason: 'r' }, now);
    expect(await store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'a2' }, reason: 'r', dedupeKey: 'k1' }, now)).toBeNull();
    expect((await store.outbox.due(now, 10)).map((i) => i.id)).toEqual([a, b]);
    await store.outbox.markSent(a!, now, { kind: 'chat', id: 'other' });
    await store.outbox.markSent(a!, new Date(now.getTime() + 1000));
    const sent = (await store.outbox.list(10)).find((i) => i.id === a)!;
    expect(sent.sentAt).toEqual(now);
    expect(sent.deliveredTo).toEqual({ kind: 'chat', id: 'other' });
    await store.outbox.markFailed(b!, 'offline', new Date(now.getTime() + 60_000));
    expect(await store.outbox.due(now, 10)).toEqual([]);
    const later = await store.outbox.due(new Date(now.getTime() + 60_000), 10);
    expect(later.map((i) => [i.id, i.attempts, i.lastError])).toEqual([[b, 1, 'offline']]);
    expect(await store.outbox.pending()).toBe(1);
  });

  it('outbox: leaves out held targets', async () => {
    const store = await kind.open();
    await store.outbox.enqueue({ target: { kind: 'chat', id: 'g1' }, reply: { text: '1' }, reason: 'r' }, now);
    await store.outbox.enqueue({ target: { kind: 'chat', id: 'g2' }, reply: { text: '2' }, reason: 'r' }, now);
    await store.outbox.enqueue({ target: { kind: 'user', id: 'g1' }, reply: { text: '3' }, reason: 'r' }, now);
    expect((await store.outbox.due(now, 10, [{ kind: 'chat', id: 'g1' }])).map((i) => i.reply.text)).toEqual(['2', '3']);
    expect((await store.outbox.due(now, 10, [{ kind: 'chat', id: 'g1' }, { kind: 'user', id: 'g1' }])).map((i) => i.reply.text)).toEqual(['2']);
  });

  it('outbox: held rows wait for their person, parts and giving up are kept', async () => {
    const store = await kind.open();
    const later = (ms: number) => new Date(now.getTime() + ms);
    const u = { kind: 'user' as const, id: 'u1' };
    const a = (await store.outbox.enqueue({ target: u, reply: { text: 'a' }, reason: 'r' }, now))!;
    const b = (await store.outbox.enqueue({ target: u, reply: { text: 'b' }, reason: 'r' }, later(1000)))!;
    await store.outbox.hold(a, 'not reachable', later(2000));
    await store.outbox.hold(b, 'not reachable', later(2000));
    expect(await store.outbox.due(later(3000), 10)).toEqual([]);
    expect((await store.outbox.heldFor(u)).map((i) => i.id)).toEqual([b, a]);
    expect(await store.outbox.heldCounts()).toEqual([{ target: u, count: 2, oldest: now }]);
    expect(await store.outbox.release(u, later(4000))).toBe(2);
    expect((await store.outbox.due(later(4000), 10)).map((i) => i.id)).toEqual([a, b]);
    await store.outbox.markParts(a, 2);
    await store.outbox.markParts(a, 1);
    await store.outbox.giveUp(b, 'too many tries', later(5000));
    const items = await store.outbox.list(10);
    expect(items.find((i) => i.id === a)!.partsSent).toBe(2);
    expect(items.find((i) => i.id === b)!.givenUpAt).toEqual(later(5000));
    expect(await store.outbox.pending()).toBe(1);
  });

  it('remembers chats, sorted by type then id', async () => {
    const store = await kind.open();
    await store.chats.touch('u1', 'single', 'u1', now);
    await store.chats.touch('g2', 'group', 'a', now);
    await store.chats.touch('g1', 'group', 'a', now);
    await store.chats.touch('g1', 'group', 'b', new Date(now.getTime() + 1000));
    expect((await store.chats.list()).map((c) => c.chatId)).toEqual(['g1', 'g2', 'u1']);
    expect(await store.chats.get('g1')).toEqual({ chatId: 'g1', chatType: 'group', lastUserId: 'b', firstSeenAt: now, lastSeenAt: new Date(now.getTime() + 1000) });
  });

  it('records each job period once', async () => {
    const store = await kind.open();
    const run = { job: 'monthly', period: '2026-11', status: 'done' as const, trigger: 'cron' as const, asOf: now, ranAt: now, summary: '3 条' };
    expect(await store.jobRuns.record(run)).toBe(true);
    expect(await store.jobRuns.record({ ...run, summary: 'again' })).toBe(false);
    expect(await store.jobRuns.record({ ...run, period: '2026-12', ranAt: new Date(now.getTime() + 1000) })).toBe(true);
    expect(await store.jobRuns.get('monthly', '2026-11')).toEqual(run);
    expect((await store.jobRuns.last('monthly'))?.period).toBe('2026-12');
  });

  it('scans open cases as summaries, optionally only those not contacted lately', async () => {
    const store = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const a = await store.cases.insert(sampleCase);
    const b = await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0002', categories: [{ code: '01', leadUnits: ['镇民政所'] }, { code: '02', leadUnits: ['镇派出所'] }] });
    const c = await store.cases.insert({ ...sampleCase, code: 'DJ-2026-0003' });
    await store.followup.addContact({ caseId: a.id, date: '2026-11-20', method: '电话', notes: '', riskLevel: null, loggedBy: 'wangwu', createdAt: now });
    await store.followup.close(c.id, '迁出', now);
    const open = await store.cases.openSummaries();
    expect(open.map((s) => [s.code, s.categories.map((k) => k.code), s.lastContactDate])).toEqual([
      ['DJ-2026-0001', ['02'], '2026-11-20'],
      ['DJ-2026-0002', ['01', '02'], null],
    ]);
    expect(open[1]!.fullName).toBe('王小明');
    expect((await store.cases.openSummaries({ notContactedSince: '2026-11-01', asOfDay: '2026-11-30' })).map((s) => s.code)).toEqual(['DJ-2026-0002']);
    expect((await store.cases.summaries()).map((s) => [s.code, s.status])).toEqual([
      ['DJ-2026-0001', 'open'],
      ['DJ-2026-0002', 'open'],
      ['DJ-2026-0003', 'closed'],
    ]);
    expect((await store.cases.identitySince(a.id)).map((r) => [r.id, r.names[0], r.numbers[0]])).toEqual([
      [b.id, '王小明', '341324201305061234'],
      [c.id, '王小明', '341324201305061234'],
    ]);
  });

  it('cards: kept until they expire, turns count per conversation, old ones pruned, purge forgets both', async () => {
    const store = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const later = (ms: number) => new Date(now.getTime() + ms);
    const card = {
      taskId: 'hm_1', chatId: 'g1', userId: 'u1', forUser: 'u1', turn: 2, key: 'case-intake:2:village', standing: false,
      body: { title: '户籍村？', choices: [{ label: '前刘村', value: '前刘村' }] }, createdAt: now, expiresAt: later(60_000),
    };
    await store.cards.save(card);
    // A task id is never reused: a second save under it changes nothing.
    await store.cards.save({ ...card, turn: 9 });
    expect(await store.cards.get('hm_1', later(1000))).toEqual(card);
    expect(await store.cards.get('hm_1', later(60_000))).toBeUndefined();
    expect(await store.cards.get('nope', now)).toBeUndefined();

    expect(await store.cards.turn('g1', 'u1')).toBeUndefined();
    await store.cards.saveTurn('g1', 'u1', { turn: 1, key: 'k1', reply: { text: '户籍村？', card: { key: 'k1' } }, at: now });
    await store.cards.saveTurn('g1', 'u2', { turn: 1, key: null, reply: { text: '别人' }, at: now });
    await store.cards.saveTurn('g1', 'u1', { turn: 2, key: null, reply: null, at: later(10) });
    expect(await store.cards.turn('g1', 'u1')).toEqual({ turn: 2, key: null, reply: null, at: later(10) });
    await store.cards.saveTurn('g1', 'u1', { turn: 3, key: 'k1', reply: { text: '户籍村？', card: { key: 'k1' } }, at: later(20) });
    expect(await store.cards.turn('g1', 'u1')).toEqual({ turn: 3, key: 'k1', reply: { text: '户籍村？', card: { key: 'k1' } }, at: later(20) });

    expect(await store.cards.prune(later(60_000), later(15))).toEqual({ cards: 1, turns: 1 });
    expect(await store.cards.turn('g1', 'u2')).toBeUndefined();
    await store.cards.save({ ...card, taskId: 'hm_2' });
    expect(await store.cards.forget()).toBe(2);
    expect(await store.cards.turn('g1', 'u1')).toBeUndefined();
  });

  it('dialog outcomes: one per (user, chat), read only while recent, pruned and forgotten', async () => {
    const store = await kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const reply = { text: '已保存个案 DJ-2026-0001。' };
    await store.outcomes.save('u1', 'u1', { kind: 'intake.saved', reply: { text: '旧的' }, at: now });
    await store.outcomes.save('u1', 'u1', { kind: 'intake.saved', reply, at: now });
    await store.outcomes.save('u1', 'g1', { kind: 'intake.saved', reply, at: new Date(now.getTime() - 5000) });
    expect(await store.outcomes.get('u1', 'u1', now)).toEqual({ kind: 'intake.saved', reply, at: now });
    expect(await store.outcomes.get('u1', 'u1', new Date(now.getTime() + 1))).toBeUndefined();
    expect(await store.outcomes.get('u2', 'u1', now)).toBeUndefined();
    expect(await store.outcomes.prune(new Date(now.getTime() - 1000))).toBe(1);
    await store.outcomes.delete('u1', 'u1');
    expect(await store.outcomes.get('u1', 'u1', new Date(0))).toBeUndefined();
    await store.outcomes.save('u1', 'u1', { kind: 'intake.saved', reply, at: now });
    expect(await store.outcomes.forget()).toBe(1);
  });
});
