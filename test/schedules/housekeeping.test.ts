import { expect, it } from 'vitest';
import { housekeeping } from '../../schedules/housekeeping.js';
import { CARD_LIFE_MS, OUTCOME_LIFE_MS } from '../../src/domain/ports/store.js';
import { testDeps } from '../helpers/deps.js';

it('drops cards past their life, turns as old, and dialog outcomes past theirs; keeps the recent ones', async () => {
  const deps = await testDeps();
  const t0 = deps.clock.now();
  const card = (taskId: string, at: Date) => ({
    taskId, chatId: 'lisi', userId: 'lisi', forUser: null, turn: 1, key: null, standing: false,
    body: { title: '类别？' }, createdAt: at, expiresAt: new Date(at.getTime() + CARD_LIFE_MS),
  });
  await deps.store.cards.save(card('old', t0));
  await deps.store.cards.saveTurn('lisi', 'lisi', { turn: 1, key: null, reply: { text: '类别？' }, at: t0 });
  await deps.store.outcomes.save('lisi', 'lisi', { kind: 'intake.saved', reply: { text: '已保存个案 DJ-2026-0001。' }, at: t0 });

  deps.clock.advance(OUTCOME_LIFE_MS + 1000);
  const t1 = deps.clock.now();
  await deps.store.cards.save(card('new', t1));
  await deps.store.cards.saveTurn('wangwu', 'wangwu', { turn: 1, key: null, reply: null, at: t1 });
  await housekeeping(deps);
  expect(await deps.store.outcomes.get('lisi', 'lisi', new Date(0))).toBeUndefined();
  expect(await deps.store.cards.get('old', t1)).toBeDefined();

  deps.clock.advance(CARD_LIFE_MS - OUTCOME_LIFE_MS);
  await housekeeping(deps);
  const t2 = deps.clock.now();
  // Read before their expiry would have hidden them: what is gone is gone from the table.
  expect(await deps.store.cards.get('old', t0)).toBeUndefined();
  expect(await deps.store.cards.turn('lisi', 'lisi')).toBeUndefined();
  expect(await deps.store.cards.get('new', t2)).toBeDefined();
  expect(await deps.store.cards.turn('wangwu', 'wangwu')).toBeDefined();
});
