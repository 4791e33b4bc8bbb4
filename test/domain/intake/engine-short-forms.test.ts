import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { currentPrompt, handleInput, startForm, textsOf, type EngineState } from '../../../src/domain/intake/engine.js';
import type { FormDef, FormEnv } from '../../../src/domain/intake/form.js';
import { plan } from '../../helpers/intake-harness.js';

/**
 * A short form of the kind 走访 and 结案 are: no 「请核对」 summary, 「取消」 at once, refusals
 * shown as their own sentence, an answer that ends the form, and a way out on the second miss.
 */
const shortForm: FormDef = {
  id: 'short',
  version: 1,
  title: '测试记录',
  confirm: false,
  cancelAtOnce: true,
  corrections: false,
  texts: {
    start: null,
    cancelled: (a) => `已取消 ${String(a.code ?? '')}`,
    resumeMark: '—— 继续测试 ——',
    requiredWayOut: '不办了请回复「取消」。',
    cannotSkip: (label) => `「${label}」不能跳过`,
  },
  steps: [
    {
      key: 'code', label: '编号', prompt: '哪个编号？', kind: 'custom', required: true, schema: z.string(), expect: '编号', example: 'A1',
      parse: (t) => (/^A\d$/.test(t.trim()) ? { ok: true, value: t.trim() } : { ok: false, error: `没有找到您可以办理的 ${t.trim()}。`, whole: true }),
    },
    {
      key: 'way', label: '方式', prompt: '怎么办的？', kind: 'choice', required: true, schema: z.enum(['上门', '电话']), expect: '方式', example: '电话',
      options: [{ value: '上门', label: '上门', aliases: [] }, { value: '电话', label: '电话', aliases: [] }],
      buttonLabel: (o) => `→${o.label}`,
    },
    {
      key: 'sure', label: '确认', prompt: (a) => `确认办理 ${String(a.code)}？`, kind: 'custom', required: true, schema: z.literal(true), expect: '确认', example: '确认',
      parse: (t) => (t === '确认' ? { ok: true, value: true } : t === '不' ? { ok: 'end', reply: '好的，没有办理。' } : { ok: false, error: '请回复「确认」或「不」。', whole: true }),
    },
  ],
};

const env: FormEnv = { now: new Date('2026-03-10T02:00:00Z'), villages: [], members: [], plan };

async function after(state: EngineState, ...answers: string[]) {
  let r = { state, reply: { text: '' }, outcome: 'continue' as string };
  for (const a of answers) r = await handleInput(shortForm, r.state, a, env);
  return r;
}

describe('short forms on the engine', () => {
  it('starts with the caller’s answers and no header, and submits after the last step without a summary', async () => {
    const start = await startForm(shortForm, env, '', { code: 'A1' });
    expect(start.reply.text).toBe('怎么办的？');
    expect(start.reply.choices?.map((c) => c)).toEqual([{ label: '→上门', value: '上门' }, { label: '→电话', value: '电话' }]);
    const r = await after(start.state, '电话', '确认');
    expect(r.outcome).toBe('submit');
    expect(r.state.answers).toEqual({ code: 'A1', way: '电话', sure: true });
  });

  it('submits at once when the caller gave every answer', async () => {
    const r = await startForm({ ...shortForm, steps: shortForm.steps.slice(0, 2) }, env, '', { code: 'A1', way: '上门' });
    expect(r.outcome).toBe('submit');
  });

  it('shows a refusal as its own sentence above the question, and the way out on the second miss', async () => {
    const { state } = await startForm(shortForm, env);
    const first = await after(state, 'B7');
    expect(first.reply.text).toBe('没有找到您可以办理的 B7。\n哪个编号？');
    const second = await after(first.state, 'B8');
    expect(second.reply.text).toBe('没有找到您可以办理的 B8。\n哪个编号？\n不办了请回复「取消」。');
    // The third miss of a required step is not recorded as unknown: the question stays, with the way out.
    const third = await after(second.state, 'B9');
    expect(third.state.current).toBe('code');
    expect(third.reply.text).toContain('不办了请回复「取消」。');
  });

  it('lists a choice step’s options by number on the second miss', async () => {
    const { state } = await startForm(shortForm, env, '', { code: 'A1' });
    const r = await after(state, '飞鸽', '骑马');
    expect(r.reply.text).toContain('1. 上门\n2. 电话');
    expect(r.reply.text).toContain('不办了请回复「取消」。');
  });

  it('cancels on 取消 without asking again, and says so in the form’s words', async () => {
    const { state } = await startForm(shortForm, env, '', { code: 'A1' });
    const r = await after(state, '取消');
    expect(r.outcome).toBe('cancelled');
    expect(r.reply.text).toBe('已取消 A1');
  });

  it('ends the form on an answer that declines', async () => {
    const r = await after((await startForm(shortForm, env, '', { code: 'A1' })).state, '电话', '不');
    expect(r.outcome).toBe('cancelled');
    expect(r.reply.text).toBe('好的，没有办理。');
  });

  it('refuses 跳过 on a required step in the form’s words', async () => {
    const r = await after((await startForm(shortForm, env, '', { code: 'A1' })).state, '跳过');
    expect(r.reply.text).toBe('「方式」不能跳过\n怎么办的？');
  });

  it('answers a plan question mid-form under its own mark and repeats the question', async () => {
    const aside: FormEnv = { ...env, answerAside: (t) => (t.includes('牵头') ? '民政所牵头。' : undefined) };
    const { state } = await startForm(shortForm, aside, '', { code: 'A1' });
    const r = await handleInput(shortForm, state, '留守儿童谁牵头', aside);
    expect(r.reply.text).toBe('民政所牵头。\n\n—— 继续测试 ——\n怎么办的？');
    expect(r.state.answers).toEqual({ code: 'A1' });
  });

  it('migrates a draft whose step was renamed and asks the open question, in the form’s words', async () => {
    const { state } = await startForm(shortForm, env, '', { code: 'A1' });
    const renamed: FormDef = { ...shortForm, version: 2, texts: { ...shortForm.texts, updated: '表已更新。' }, steps: shortForm.steps.map((s) => (s.key === 'way' ? { ...s, key: 'method' } : s)) };
    const old = { ...state, current: 'way' };
    expect(currentPrompt(renamed, old, env).text).toBe('怎么办的？');
    const r = await handleInput(renamed, old, '电话', env);
    expect(r.reply.text.startsWith('表已更新。\n')).toBe(true);
    expect(r.state.answers).toEqual({ code: 'A1', method: '电话' });
  });

  it('keeps the registration’s texts for a form that gives none', () => {
    const t = textsOf({ ...shortForm, texts: undefined });
    expect(t.resumeMark).toBe('—— 继续登记 ——');
    expect(t.cancelQuestion).toContain('确定放弃这份登记吗');
    expect(t.start).toContain('开始测试记录');
  });
});
