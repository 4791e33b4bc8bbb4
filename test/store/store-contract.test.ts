import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { sampleCase } from '../helpers/case-fixture.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';

const now = new Date('2026-11-29T02:00:00Z');

afterEach(cleanupStores);

// What every adapter must do alike; adapter-specific behaviour is in sqlite-store / postgres-store tests.
describe.each(storeKinds)('store contract ($name)', (kind: StoreKind) => {
  it('claims each inbound message id once per channel and remembers the replies', () => {
    const store = kind.open();
    const rec = { id: 'm1', channel: 'wecom', userId: 'u', chatId: 'u' };
    expect(store.inbound.claim(rec, now)).toBe(true);
    expect(store.inbound.claim(rec, now)).toBe(false);
    expect(store.inbound.claim({ ...rec, channel: 'console' }, now)).toBe(true);
    store.inbound.saveReplies('wecom', 'm1', [{ text: '好' }]);
    expect(store.inbound.replies('wecom', 'm1')).toEqual([{ text: '好' }]);
    expect(store.inbound.replies('wecom', 'nope')).toBeUndefined();
  });

  it('rolls back every write of a failed transaction', () => {
    const store = kind.open();
    expect(() =>
      store.transaction(() => {
        store.inbound.claim({ id: 'x', channel: 'c', userId: 'u', chatId: 'u' }, now);
        store.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 't' }, reason: 'test' }, now);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.outbox.pending()).toBe(0);
    expect(store.inbound.claim({ id: 'x', channel: 'c', userId: 'u', chatId: 'u' }, now)).toBe(true);
  });

  it('rolls back only the inner part when a nested transaction fails', () => {
    const store = kind.open();
    store.transaction(() => {
      store.chats.touch('outer', 'group', 'u', now);
      expect(() =>
        store.transaction(() => {
          store.chats.touch('inner', 'group', 'u', now);
          throw new Error('inner');
        }),
      ).toThrow('inner');
    });
    expect(store.chats.list().map((c) => c.chatId)).toEqual(['outer']);
  });

  it('outbox: due order, dedupe keys, sent rows never come back, failures retry later', () => {
    const store = kind.open();
    const a = store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'a' }, reason: 'r', dedupeKey: 'k1' }, now);
    const b = store.outbox.enqueue({ target: { kind: 'user', id: 'u' }, reply: { text: 'b' }, reason: 'r' }, now);
    expect(store.outbox.enqueue({ target: { kind: 'chat', id: 'g' }, reply: { text: 'a2' }, reason: 'r', dedupeKey: 'k1' }, now)).toBeNull();
    expect(store.outbox.due(now, 10).map((i) => i.id)).toEqual([a, b]);
    store.outbox.markSent(a!, now, { kind: 'chat', id: 'other' });
    store.outbox.markSent(a!, new Date(now.getTime() + 1000));
    const sent = store.outbox.list(10).find((i) => i.id === a)!;
    expect(sent.sentAt).toEqual(now);
    expect(sent.deliveredTo).toEqual({ kind: 'chat', id: 'other' });
    store.outbox.markFailed(b!, 'offline', new Date(now.getTime() + 60_000));
    expect(store.outbox.due(now, 10)).toEqual([]);
    const later = store.outbox.due(new Date(now.getTime() + 60_000), 10);
    expect(later.map((i) => [i.id, i.attempts, i.lastError])).toEqual([[b, 1, 'offline']]);
    expect(store.outbox.pending()).toBe(1);
  });

  it('outbox: leaves out held targets', () => {
    const store = kind.open();
    store.outbox.enqueue({ target: { kind: 'chat', id: 'g1' }, reply: { text: '1' }, reason: 'r' }, now);
    store.outbox.enqueue({ target: { kind: 'chat', id: 'g2' }, reply: { text: '2' }, reason: 'r' }, now);
    store.outbox.enqueue({ target: { kind: 'user', id: 'g1' }, reply: { text: '3' }, reason: 'r' }, now);
    expect(store.outbox.due(now, 10, [{ kind: 'chat', id: 'g1' }]).map((i) => i.reply.text)).toEqual(['2', '3']);
  });

  it('remembers chats, sorted by type then id', () => {
    const store = kind.open();
    store.chats.touch('u1', 'single', 'u1', now);
    store.chats.touch('g2', 'group', 'a', now);
    store.chats.touch('g1', 'group', 'a', now);
    store.chats.touch('g1', 'group', 'b', new Date(now.getTime() + 1000));
    expect(store.chats.list().map((c) => c.chatId)).toEqual(['g1', 'g2', 'u1']);
    expect(store.chats.get('g1')).toEqual({ chatId: 'g1', chatType: 'group', lastUserId: 'b', firstSeenAt: now, lastSeenAt: new Date(now.getTime() + 1000) });
  });

  it('records each job period once', () => {
    const store = kind.open();
    const run = { job: 'monthly', period: '2026-11', status: 'done' as const, trigger: 'cron' as const, asOf: now, ranAt: now, summary: '3 条' };
    expect(store.jobRuns.record(run)).toBe(true);
    expect(store.jobRuns.record({ ...run, summary: 'again' })).toBe(false);
    expect(store.jobRuns.record({ ...run, period: '2026-12', ranAt: new Date(now.getTime() + 1000) })).toBe(true);
    expect(store.jobRuns.get('monthly', '2026-11')).toEqual(run);
    expect(store.jobRuns.last('monthly')?.period).toBe('2026-12');
  });

  it('scans open cases as summaries, optionally only those not contacted lately', () => {
    const store = kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const a = store.cases.insert(sampleCase);
    const b = store.cases.insert({ ...sampleCase, code: 'DJ-2026-0002', categories: [{ code: '01', leadUnits: ['镇民政所'] }, { code: '02', leadUnits: ['镇派出所'] }] });
    const c = store.cases.insert({ ...sampleCase, code: 'DJ-2026-0003' });
    store.followup.addContact({ caseId: a.id, date: '2026-11-20', method: '电话', notes: '', riskLevel: null, loggedBy: 'wangwu', createdAt: now });
    store.followup.close(c.id, '迁出', now);
    const open = store.cases.openSummaries();
    expect(open.map((s) => [s.code, s.categories.map((k) => k.code), s.lastContactDate])).toEqual([
      ['DJ-2026-0001', ['02'], '2026-11-20'],
      ['DJ-2026-0002', ['01', '02'], null],
    ]);
    expect(open[1]!.fullName).toBe('王小明');
    expect(store.cases.openSummaries({ notContactedSince: '2026-11-01', asOfDay: '2026-11-30' }).map((s) => s.code)).toEqual(['DJ-2026-0002']);
    expect(store.cases.summaries().map((s) => [s.code, s.status])).toEqual([
      ['DJ-2026-0001', 'open'],
      ['DJ-2026-0002', 'open'],
      ['DJ-2026-0003', 'closed'],
    ]);
    expect(store.cases.identitySince(a.id).map((r) => [r.id, r.names[0], r.numbers[0]])).toEqual([
      [b.id, '王小明', '341324201305061234'],
      [c.id, '王小明', '341324201305061234'],
    ]);
  });

  it('cards: kept until they expire, turns count per conversation, old ones pruned, purge forgets both', () => {
    const store = kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const later = (ms: number) => new Date(now.getTime() + ms);
    const card = {
      taskId: 'hm_1', chatId: 'g1', userId: 'u1', forUser: 'u1', turn: 2, key: 'case-intake:2:village', standing: false,
      body: { title: '户籍村？', choices: [{ label: '前刘村', value: '前刘村' }] }, createdAt: now, expiresAt: later(60_000),
    };
    store.cards.save(card);
    // A task id is never reused: a second save under it changes nothing.
    store.cards.save({ ...card, turn: 9 });
    expect(store.cards.get('hm_1', later(1000))).toEqual(card);
    expect(store.cards.get('hm_1', later(60_000))).toBeUndefined();
    expect(store.cards.get('nope', now)).toBeUndefined();

    expect(store.cards.turn('g1', 'u1')).toBeUndefined();
    store.cards.saveTurn('g1', 'u1', { turn: 1, key: 'k1', reply: { text: '户籍村？', card: { key: 'k1' } }, at: now });
    store.cards.saveTurn('g1', 'u2', { turn: 1, key: null, reply: { text: '别人' }, at: now });
    store.cards.saveTurn('g1', 'u1', { turn: 2, key: null, reply: null, at: later(10) });
    expect(store.cards.turn('g1', 'u1')).toEqual({ turn: 2, key: null, reply: null, at: later(10) });
    store.cards.saveTurn('g1', 'u1', { turn: 3, key: 'k1', reply: { text: '户籍村？', card: { key: 'k1' } }, at: later(20) });
    expect(store.cards.turn('g1', 'u1')).toEqual({ turn: 3, key: 'k1', reply: { text: '户籍村？', card: { key: 'k1' } }, at: later(20) });

    expect(store.cards.prune(later(60_000), later(15))).toEqual({ cards: 1, turns: 1 });
    expect(store.cards.turn('g1', 'u2')).toBeUndefined();
    store.cards.save({ ...card, taskId: 'hm_2' });
    expect(store.cards.forget()).toBe(2);
    expect(store.cards.turn('g1', 'u1')).toBeUndefined();
  });

  it('dialog outcomes: one per (user, chat), read only while recent, pruned and forgotten', () => {
    const store = kind.open({ cipher: new FieldCipher(randomBytes(32)) });
    const reply = { text: '已保存个案 DJ-2026-0001。' };
    store.outcomes.save('u1', 'u1', { kind: 'intake.saved', reply: { text: '旧的' }, at: now });
    store.outcomes.save('u1', 'u1', { kind: 'intake.saved', reply, at: now });
    store.outcomes.save('u1', 'g1', { kind: 'intake.saved', reply, at: new Date(now.getTime() - 5000) });
    expect(store.outcomes.get('u1', 'u1', now)).toEqual({ kind: 'intake.saved', reply, at: now });
    expect(store.outcomes.get('u1', 'u1', new Date(now.getTime() + 1))).toBeUndefined();
    expect(store.outcomes.get('u2', 'u1', now)).toBeUndefined();
    expect(store.outcomes.prune(new Date(now.getTime() - 1000))).toBe(1);
    store.outcomes.delete('u1', 'u1');
    expect(store.outcomes.get('u1', 'u1', new Date(0))).toBeUndefined();
    store.outcomes.save('u1', 'u1', { kind: 'intake.saved', reply, at: now });
    expect(store.outcomes.forget()).toBe(1);
  });
});
