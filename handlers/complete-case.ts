import type { Reply } from '../src/domain/model/message.js';
import type { CaseRecord } from '../src/domain/model/records.js';
import { mayActOn } from '../src/domain/followup/access.js';
import { CASE_CODE, normalizeCaseCode } from '../src/domain/followup/contact-message.js';
import { COMPLETE_FORM_ID, COMPLETE_RESUME_MARK, completeForm, patchFor, pendingSteps } from '../src/domain/intake/complete-form.js';
import { currentPrompt, handleInput, startForm, type EngineResult, type EngineState } from '../src/domain/intake/engine.js';
import { caseForm } from '../src/domain/intake/case-form.js';
import { casePending } from '../src/domain/intake/pending-fields.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import { isText, NOT_MEMBER_TEXT, refuseCase } from './followup-shared.js';
import { endShortDialog, saveShortDialog, shortDialogAlive, shortFormEnv } from './short-dialog.js';
import { NEEDS_DIALOG, type DialogKind } from '../src/core/dialogs.js';
import type { HandlerContext } from '../src/core/context.js';

const VERB = '(?:补充|补全|完善|补录)(?:一下)?(?:个案)?(?:的)?(?:信息|资料)?';
/** 「补充 DJ-2026-0001 …」: the verb, then the code (a plan question has no code). */
const VERB_FIRST = new RegExp(`^${VERB}\\s*[:：,，]?\\s*${CASE_CODE.source}`);
/** 「DJ-2026-0001 补充信息」「给 DJ-2026-0001 补充一下」. */
const CODE_FIRST = new RegExp(`^(?:给|为)?\\s*${CASE_CODE.source}\\s*(?:的)?\\s*${VERB}(?=$|[\\s:：,，])`);
const WHAT = '补充个案信息';

function parse(ctx: HandlerContext): { code: string; rest: string } | undefined {
  if (!isText(ctx)) return undefined;
  const text = normalizeInput(ctx.msg.text).trim();
  const m = VERB_FIRST.exec(text) ?? CODE_FIRST.exec(text);
  return m ? { code: normalizeCaseCode(m), rest: text.slice(m[0].length).replace(/^[\s:：,，]+/, '') } : undefined;
}

/** The case, when the sender may complete it; else the same refusal for a missing and a forbidden code. */
async function check(ctx: HandlerContext, code: string): Promise<CaseRecord | Reply[]> {
  const c = await ctx.store.cases.getByCode(code);
  if (!c || !mayActOn(c, ctx.member)) return refuseCase(ctx, code, WHAT, Boolean(c));
  if (c.status === 'closed') return [{ text: `个案 ${c.code} 已结案，无需补充。` }];
  return c;
}

/**
 * Writes every answered field the case still lists as pending, at once: a dialog dropped after
 * 30 idle minutes, or ended with 「取消」, never loses what was answered. Returns the labels done,
 * and the case's lead units when an answer (the village) changed them.
 */
async function persist(ctx: HandlerContext, code: string, state: EngineState): Promise<{ done: string[]; leads?: string[] }> {
  const now = ctx.clock.now();
  const done: string[] = [];
  const keys: string[] = [];
  let leads: string[] | undefined;
  const source = { plan: ctx.plan, villages: ctx.config.villages };
  for (const [key, value] of Object.entries(state.answers)) {
    const c = (await ctx.store.cases.getByCode(code))!;
    const p = patchFor(c, ctx.lookup, key, value, state.estimated?.includes(key) ?? false, source);
    if (!p) continue;
    await ctx.store.cases.update(c.id, p.patch, now);
    done.push(...p.done);
    keys.push(key);
    leads = p.leads ?? leads;
  }
  // Which fields, never their values: the audit log is read by people who may not see the child.
  if (keys.length) await ctx.store.audit.append({ at: now, actor: ctx.msg.userId, action: 'change', caseCode: code, detail: `completed: ${keys.join(',')}${leads ? '; lead units' : ''}` });
  return leads ? { done, leads } : { done };
}

/** A lead unit gives away why a child is on file: said only in the private chat. */
function leadsLine(ctx: HandlerContext, code: string, leads: string[] | undefined): string {
  return leads && ctx.msg.chatType !== 'group' ? `\n个案 ${code} 的牵头单位已随户籍村更新为：${leads.join('、') || '（方案未载明）'}。` : '';
}

async function settle(ctx: HandlerContext, code: string, r: EngineResult, opts: { once: boolean; createdAt?: Date }): Promise<Reply[] | typeof NEEDS_DIALOG> {
  if (opts.once && r.outcome === 'continue') return NEEDS_DIALOG;
  const saved = await persist(ctx, code, r.state);
  const leads = leadsLine(ctx, code, saved.leads);
  const ended = async () => {
    const now = casePending((await ctx.store.cases.getByCode(code))!);
    // Everything this dialog completed, not only the last answer.
    const order = caseForm.steps.map((st) => st.label);
    const at = (l: string) => order.findIndex((o) => l.startsWith(o));
    // A contact whose name was given but not the phone is done only in part.
    const done = labelsOf(r.state)
      .filter((l) => !now.includes(l))
      .map((l) => (now.includes(`${l}（手机）`) ? `${l}（姓名）` : l))
      .sort((x, y) => at(x) - at(y));
    const head = done.length ? `已补充个案 ${code}：${done.join('、')}。` : `个案 ${code} 没有新补充的内容。`;
    return head + leads + (now.length ? `\n仍待补充：${now.join('、')}。` : '\n该个案已没有待补充的信息。');
  };
  if (r.outcome === 'submit') {
    await endShortDialog(ctx, COMPLETE_FORM_ID);
    return [{ text: await ended() }];
  }
  if (r.outcome === 'cancelled') {
    await endShortDialog(ctx, COMPLETE_FORM_ID);
    return [{ text: `${r.reply.text}\n${await ended()}` }];
  }
  await saveShortDialog(ctx, COMPLETE_FORM_ID, r.state, opts.createdAt);
  return [saved.done.length ? { ...r.reply, text: `已保存：${saved.done.join('、')}。${leads}\n${r.reply.text}` } : r.reply];
}

/** The case a session is about and the fields pending when it started, kept beside the engine's state. */
type CompleteState = EngineState & { caseCode?: string; labels?: string[] };
const codeOf = (state: EngineState) => String((state as CompleteState).caseCode ?? '');
const labelsOf = (state: EngineState) => (state as CompleteState).labels ?? [];
function keep(r: EngineResult, code: string, labels: string[]): EngineResult {
  Object.assign(r.state, { caseCode: code, labels });
  return r;
}

/**
 * 「补充 DJ-2026-0001」: asks only the case's 待补充 fields, with registration's own questions and
 * parsing; 「补充 DJ-2026-0001 监护人电话 13812345678」 gives one at once. In a group nothing is
 * asked or repeated: the person is sent to the private chat.
 */
export const completeCaseDialog: DialogKind = {
  formId: COMPLETE_FORM_ID,
  title: '个案信息补充',
  resumeMark: COMPLETE_RESUME_MARK,
  action: '补充个案信息',
  keepsAgainstNew: false,
  starts: (ctx) => parse(ctx) !== undefined,
  async start(ctx, { once }) {
    const cmd = parse(ctx);
    if (!cmd) return [];
    if (!ctx.member) {
      await ctx.store.audit.append({ at: ctx.clock.now(), actor: ctx.msg.userId, action: 'denied', caseCode: cmd.code, detail: `${WHAT}: not a member` });
      return [{ text: NOT_MEMBER_TEXT }];
    }
    // What follows the code may be a phone or a name: a group hears neither back, nor a question.
    if (ctx.msg.chatType === 'group') return [{ text: `个案信息请在与我的私聊中补充：私聊发送「补充 ${cmd.code}」。群内请勿发送孩子和家人的个人信息。` }];
    const c = await check(ctx, cmd.code);
    if (Array.isArray(c)) return c;
    if (!pendingSteps(c).length) {
      const p = casePending(c);
      return [{ text: p.length ? `个案 ${c.code} 待补充：${p.join('、')}，请通过走访记录补充。` : `个案 ${c.code} 没有待补充的信息。` }];
    }
    const labels = casePending(c);
    const form = completeForm(c, labels);
    const env = shortFormEnv(ctx);
    let r = keep(await startForm(form, env), c.code, labels);
    if (cmd.rest) {
      // 「监护人电话 13812345678」: a field's name first picks that question.
      const names = form.steps.flatMap((s) => [s.label, ...(s.editNames ?? [])].map((n) => ({ n, s }))).sort((x, y) => y.n.length - x.n.length);
      const named = names.find(({ n }) => cmd.rest.startsWith(n));
      const other = named ? undefined : caseForm.steps.flatMap((s) => [s.label, ...(s.editNames ?? [])]).sort((x, y) => y.length - x.length).find((n) => n.length >= 2 && cmd.rest.startsWith(n));
      // A field that is not pending is not changed here (nor is what was typed repeated).
      if (other) return settle(ctx, c.code, { ...r, reply: { ...r.reply, text: `「${other}」不是个案 ${c.code} 的待补充项，这里不修改。\n${r.reply.text}` } }, { once });
      let answer = cmd.rest;
      if (named && named.s.key !== r.state.current) {
        r = { ...r, state: { ...r.state, current: named.s.key } };
      }
      if (named) answer = cmd.rest.slice(named.n.length).replace(/^[\s:：,，是为]+/, '');
      if (answer) r = keep(await handleInput(form, r.state, answer, env), c.code, labels);
      else r = { ...r, reply: currentPrompt(form, r.state, env) };
    }
    return settle(ctx, c.code, r, { once });
  },
  alive: shortDialogAlive,
  async answer(ctx, session) {
    if (!isText(ctx)) return null;
    const state = session.state as EngineState;
    const c = await check(ctx, codeOf(state));
    if (Array.isArray(c)) {
      await endShortDialog(ctx, COMPLETE_FORM_ID);
      return c;
    }
    const r = keep(await handleInput(completeForm(c, labelsOf(state)), state, ctx.msg.text, shortFormEnv(ctx)), c.code, labelsOf(state));
    const replies = await settle(ctx, c.code, r, { once: false, createdAt: session.createdAt });
    return replies === NEEDS_DIALOG ? null : replies;
  },
  pending: async (ctx, session) => {
    const c = await ctx.store.cases.getByCode(codeOf(session.state as EngineState));
    return c ? currentPrompt(completeForm(c, labelsOf(session.state as EngineState)), session.state as EngineState, shortFormEnv(ctx)) : undefined;
  },
};
