import type { Reply } from '../src/domain/model/message.js';
import { CASE_CODE, CONTACT_TRIGGER, normalizeCaseCode, parseContactParts } from '../src/domain/followup/contact-message.js';
import { BAD_DATE_TEXT, CONTACT_FORM_ID, CONTACT_RESUME_MARK as RESUME_MARK, contactDay, contactForm, FUTURE_DATE_TEXT } from '../src/domain/followup/contact-form.js';
import { mayActOn } from '../src/domain/followup/access.js';
import { shortDate } from '../src/domain/followup/case-status.js';
import { currentPrompt, handleInput, startForm, type EngineResult, type EngineState } from '../src/domain/intake/engine.js';
import type { Answers, FormDef } from '../src/domain/intake/form.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import type { CaseRecord, ContactMethod, RiskLevel } from '../src/domain/model/records.js';
import { maskName } from '../src/domain/privacy/mask.js';
import { caseCommand, isText, refuseCase, tell } from './followup-shared.js';
import { promptMandatoryReport } from './mandatory-report-prompt.js';
import { rememberOutcome } from './repeated-confirm.js';
import { shortDialogAlive, settleShortForm, shortFormEnv } from './short-dialog.js';
import { NEEDS_DIALOG, type DialogKind } from '../src/core/dialogs.js';
import type { HandlerContext } from '../src/core/context.js';

export { BAD_DATE_TEXT, FUTURE_DATE_TEXT };
export const NOT_ALLOWED_TEXT = '只有该个案的帮扶责任人、牵头单位成员或管理员可以记录走访。';

export function isContactTrigger(text: string): boolean {
  return CONTACT_TRIGGER.test(normalizeInput(text));
}

/** Checks a case code the user gave: the reply to send when it cannot be used, else the case. */
async function usableCase(ctx: HandlerContext, code: string): Promise<CaseRecord | Reply[]> {
  const c = await ctx.store.cases.getByCode(code);
  if (!c || !mayActOn(c, ctx.member)) return refuseCase(ctx, code, '记录走访', Boolean(c));
  if (c.status === 'closed') return [{ text: `个案 ${code} 已结案，不能再记录走访。` }];
  return c;
}

/** The form with this sender's cases to pick from (privately only: a group never sees the list). */
async function formFor(ctx: HandlerContext): Promise<FormDef> {
  const mine = ctx.msg.chatType === 'single' ? await ctx.store.cases.openSummaries({ mentorUserId: ctx.msg.userId, limit: 8 }) : [];
  return contactForm({
    group: ctx.msg.chatType === 'group',
    offered: mine.map((c) => ({ code: c.code, line: `${c.code}（${maskName(c.fullName)}，${c.village}）` })),
    refuse: async (code) => {
      const c = await usableCase(ctx, code);
      return Array.isArray(c) ? c.map((r) => r.text).join('\n') : undefined;
    },
  });
}

async function logContact(ctx: HandlerContext, a: Answers): Promise<Reply[]> {
  const now = ctx.clock.now();
  // Checked again: the case may have been closed or reassigned while the dialog was open.
  const c = await usableCase(ctx, String(a.code));
  if (Array.isArray(c)) return c;
  const before = c.riskLevel;
  const date = contactDay(a, now);
  const method = a.method as ContactMethod;
  const notes = String(a.notes);
  const risk = typeof a.riskLevel === 'string' ? (a.riskLevel as RiskLevel) : null;
  await ctx.store.followup.addContact({ caseId: c.id, date, method, notes, riskLevel: risk, loggedBy: ctx.msg.userId, createdAt: now });
  await ctx.store.audit.append({ at: now, actor: ctx.msg.userId, action: 'change', caseCode: c.code, detail: risk && risk !== before ? 'contact logged; risk level' : 'contact logged' });
  // Intake-level risk may be unassessed (null): shown as 待补充 until a contact sets it.
  const changed = risk && risk !== before ? `风险等级：${before ?? '待补充'} → ${risk}。` : '';
  const reply = { text: `已记录 ${c.code} ${shortDate(date)}${method}联系。${changed}${await promptMandatoryReport(ctx, c, notes, 'contact')}` };
  // Should this answer be lost on its way, a 「是」 typed again gets it again, not a second contact.
  await rememberOutcome(ctx, 'contact.logged', reply, now);
  return [reply];
}


/** Saves, logs or ends the dialog after one step of the form. */
function settle(ctx: HandlerContext, r: EngineResult, opts: { once: boolean; createdAt?: Date }): Promise<Reply[] | typeof NEEDS_DIALOG> {
  return settleShortForm(ctx, CONTACT_FORM_ID, r, opts, (a) => logContact(ctx, a));
}

/**
 * 「走访 DJ-2026-0001 电话联系，情况稳定」 logs a contact in one message; when the code, the
 * method or the note is missing, the contact form asks for it. The date defaults to today.
 */
async function startFromCommand(ctx: HandlerContext, once: boolean): Promise<Reply[] | typeof NEEDS_DIALOG> {
  const cmd = await caseCommand(ctx, CONTACT_TRIGGER);
  if (cmd === null) return [];
  if (Array.isArray(cmd)) return cmd;
  const now = ctx.clock.now();
  const parts = parseContactParts(cmd.rest, now);
  // A bad date or a code the sender may not use is refused at once, before any question.
  if (parts.dateError === 'future') return [{ text: FUTURE_DATE_TEXT }];
  if (parts.dateError) return [{ text: BAD_DATE_TEXT }];
  if (parts.code) {
    const c = await usableCase(ctx, parts.code);
    if (Array.isArray(c)) return c;
  }
  const given: Answers = {
    ...(parts.code && { code: parts.code }),
    ...(parts.method && { method: parts.method }),
    ...(parts.notes && { notes: parts.notes }),
    ...(parts.date && { date: parts.date }),
    ...(parts.riskLevel && { riskLevel: parts.riskLevel }),
  };
  return settle(ctx, await startForm(await formFor(ctx), shortFormEnv(ctx), '', given), { once });
}

/** Words of an answer that reports a contact, when it quotes a reminder instead of naming the case. */
const SOUNDS_LIKE_CONTACT = /走访|联系|家访|入户|上门|电话|微信|视频|见面|看望|在校|情况|稳定|正常|良好|好转/;

/** A private answer that quotes one of the bot's reminders (「已走访，情况稳定」). */
function quotesReminder(ctx: HandlerContext): boolean {
  const { msg } = ctx;
  if (msg.kind !== 'text' || msg.chatType !== 'single' || !msg.quote || !ctx.member) return false;
  const text = normalizeInput(msg.text);
  return !isContactTrigger(text) && SOUNDS_LIKE_CONTACT.test(text) && CASE_CODE.test(msg.quote);
}

/**
 * The case is the one the quoted reminder named. Nothing is saved on a guess: the form's first
 * question says what it would record and asks; 「是」 logs it (asking the method if not said).
 */
async function startFromQuote(ctx: HandlerContext, once: boolean): Promise<Reply[] | typeof NEEDS_DIALOG> {
  const text = normalizeInput(ctx.msg.text);
  const codes = new Set<string>();
  for (const m of ctx.msg.quote!.matchAll(new RegExp(CASE_CODE.source, 'g'))) codes.add(normalizeCaseCode(m));
  if (codes.size > 1) return [{ text: `引用的消息里有 ${codes.size} 个个案，请写明是哪一个，例如「走访 ${[...codes][0]} ${text}」。` }];
  const code = [...codes][0]!;
  const c = await usableCase(ctx, code);
  if (Array.isArray(c)) return c;
  const parts = parseContactParts(text, ctx.clock.now());
  if (parts.dateError === 'future') return [{ text: FUTURE_DATE_TEXT }];
  const given: Answers = {
    quoted: true,
    code,
    notes: parts.notes ?? text,
    ...(parts.date && { date: parts.date }),
    ...(parts.method && { method: parts.method }),
    ...(parts.riskLevel && { riskLevel: parts.riskLevel }),
  };
  return settle(ctx, await startForm(await formFor(ctx), shortFormEnv(ctx), '', given), { once });
}

export const contactDialog: DialogKind = {
  formId: CONTACT_FORM_ID,
  title: '走访记录',
  resumeMark: RESUME_MARK,
  action: '记录走访',
  keepsAgainstNew: false,
  starts: (ctx) => (isText(ctx) && isContactTrigger(ctx.msg.text)) || quotesReminder(ctx),
  start: (ctx, { once }) => (isContactTrigger(ctx.msg.text) ? startFromCommand(ctx, once) : startFromQuote(ctx, once)),
  alive: shortDialogAlive,
  async answer(ctx, session) {
    if (!isText(ctx)) return null;
    const r = await handleInput(await formFor(ctx), session.state as EngineState, ctx.msg.text, shortFormEnv(ctx));
    const replies = await settle(ctx, r, { once: false, createdAt: session.createdAt });
    return replies === NEEDS_DIALOG ? null : replies;
  },
  pending: async (ctx, session) => currentPrompt(await formFor(ctx), session.state as EngineState, shortFormEnv(ctx)),
};

/**
 * A contact dialog saved by the hand-written state machine before this form existed: its
 * answers become the form's, so a deploy mid-dialog asks only what was still open.
 */
export async function adoptContactDialog(ctx: HandlerContext, legacy: Record<string, unknown>): Promise<EngineState> {
  const keys = ['code', 'date', 'method', 'notes', 'riskLevel'] as const;
  const given: Answers = {};
  for (const k of keys) if (typeof legacy[k] === 'string' && legacy[k]) given[k] = legacy[k];
  if (legacy.confirm === true) given.quoted = true;
  return (await startForm(await formFor(ctx), shortFormEnv(ctx), '', given)).state;
}
