import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIRM, handleInput, parseCommand, questionKey, startForm, type EngineState } from '../../../src/domain/intake/engine.js';
import type { FormDef, FormEnv } from '../../../src/domain/intake/form.js';
import { plan } from '../../helpers/intake-harness.js';

/** A form unrelated to cases: the engine runs any form declared as data. */
const visitForm: FormDef = {
  version: 1,
  id: 'visit',
  title: '走访记录',
  steps: [
    { key: 'date', label: '走访日期', prompt: '哪天走访的？', kind: 'date', schema: z.string(), expect: '日期', example: '2026年3月1日' },
    {
      key: 'mode', label: '方式', prompt: '走访方式？', kind: 'choice', schema: z.enum(['入户', '电话']), expect: '方式', example: '入户',
      options: [{ value: '入户', label: '入户走访', aliases: ['上门'] }, { value: '电话', label: '电话联系', aliases: ['打电话'] }],
    },
    { key: 'met', label: '见到本人', prompt: '见到孩子本人了吗？', kind: 'yesno', when: (a) => a.mode === '入户', schema: z.boolean(), expect: '是或否', example: '是' },
    { key: 'phone', label: '回访电话', prompt: '回访电话？', kind: 'mobile', optional: true, schema: z.string(), expect: '手机号', example: '13812345678' },
  ],
};

const env: FormEnv = { now: new Date('2026-03-10T02:00:00Z'), villages: [], members: [], plan };

async function drive(answers: string[]): Promise<{ state: EngineState; last: string }> {
  let { state, reply } = await startForm(visitForm, env);
  for (const a of answers) {
    const r = await handleInput(visitForm, state, a, env);
    state = r.state;
    reply = r.reply;
  }
  return { state, last: reply.text };
}

describe('form engine', () => {
  it('asks steps in order, honours conditions, and ends at a confirmation', async () => {
    const { state, last } = await drive(['3月1日', '2026年3月1日', '上门', '嗯', '跳过']);
    expect(state.current).toBe(CONFIRM);
    expect(state.answers).toEqual({ date: '2026-03-01', mode: '入户', met: true, phone: null });
    expect(last).toContain('见到本人：是');
    expect(last).toContain('回访电话：未填');
  });

  it('skips a step whose condition fails', async () => {
    const { state } = await drive(['2026.3.1', '2']);
    expect(state.current).toBe('phone');
  });

  it('does not change state on a bad answer', async () => {
    const before = (await drive(['2026.3.1'])).state;
    const r = await handleInput(visitForm, before, '坐飞机', env);
    expect(r.state.answers).toEqual(before.answers);
    expect(r.reply.text).toContain('没有「坐飞机」这个选项。请输入方式，例如：入户');
    expect(r.reply.choices?.map((c) => c.label)).toEqual(['入户走访', '电话联系']);
  });

  it('submits on 确认 and cancels only after a second yes', async () => {
    const { state } = await drive(['2026.3.1', '2', '13812345678']);
    expect((await handleInput(visitForm, state, '确认', env)).outcome).toBe('submit');
    const asked = await handleInput(visitForm, state, '取消', env);
    expect(asked.outcome).toBe('continue');
    expect((await handleInput(visitForm, asked.state, '好的', env)).outcome).toBe('cancelled');
  });

  it('keeps the caller’s state untouched', async () => {
    const { state } = await drive(['2026.3.1']);
    const copy = JSON.stringify(state);
    await handleInput(visitForm, state, '1', env);
    expect(JSON.stringify(state)).toBe(copy);
  });
});

describe('parseCommand', () => {
  it('knows the commands and leaves answers alone', () => {
    expect(parseCommand('取消')).toEqual({ type: 'cancel' });
    expect(parseCommand('返回')).toEqual({ type: 'back' });
    expect(parseCommand('上一步。')).toEqual({ type: 'back' });
    expect(parseCommand('跳过')).toEqual({ type: 'skip' });
    expect(parseCommand('修改 姓名')).toEqual({ type: 'edit', field: '姓名' });
    expect(parseCommand('修改姓名')).toEqual({ type: 'edit', field: '姓名' });
    expect(parseCommand('查看')).toEqual({ type: 'view' });
    expect(parseCommand('帮助')).toEqual({ type: 'help' });
    expect(parseCommand('王小明')).toBeUndefined();
    expect(parseCommand('无')).toBeUndefined();
  });
});

describe('card keys: a tap counts only for the question its card asked', () => {
  it('every question names its form, version and step; a pending yes/no is a question of its own', async () => {
    const start = await startForm(visitForm, env);
    expect(start.reply.card?.key).toBe('visit:1:date');
    const mode = await handleInput(visitForm, start.state, '2026年3月1日', env);
    expect(mode.reply.card?.key).toBe('visit:1:mode');
    const cancel = await handleInput(visitForm, mode.state, '取消', env);
    expect(cancel.reply.card?.key).toBe('visit:1:mode~cancel');
    expect(questionKey(visitForm, cancel.state)).toBe('visit:1:mode~cancel');
  });

  it('a tap on the current question is taken like typing; on another question it records nothing and asks again', async () => {
    const start = await startForm(visitForm, env);
    const mode = await handleInput(visitForm, start.state, '2026年3月1日', env);
    const tapped = await handleInput(visitForm, mode.state, '入户走访', env, { cardKey: 'visit:1:mode' });
    expect(tapped.state.answers.mode).toBe('入户');
    expect(tapped.reply.staleTap).toBeUndefined();
    // The old card of the date question, tapped now that the mode is asked.
    const old = await handleInput(visitForm, mode.state, '入户走访', env, { cardKey: 'visit:1:date' });
    expect(old.reply.staleTap).toBe(true);
    expect(old.state.answers).toEqual(mode.state.answers);
    expect(old.state.current).toBe('mode');
    expect(old.reply.text).toContain('已过期');
    expect(old.reply.text).toContain('走访方式？');
    expect(old.reply.card?.key).toBe('visit:1:mode');
  });

  it('a card from before the form was updated is refused even for a step of the same name, and says the form changed', async () => {
    const start = await startForm(visitForm, env);
    const mode = await handleInput(visitForm, start.state, '2026年3月1日', env);
    const v2: FormDef = { ...visitForm, version: 2 };
    const r = await handleInput(v2, mode.state, '入户走访', env, { cardKey: 'visit:1:mode' });
    expect(r.reply.staleTap).toBe(true);
    expect(r.state.answers.mode).toBeUndefined();
    expect(r.reply.text).toContain('登记表已更新');
    expect(r.reply.card?.key).toBe('visit:2:mode');
    expect((await handleInput(v2, r.state, '入户走访', env, { cardKey: 'visit:2:mode' })).state.answers.mode).toBe('入户');
  });
});
