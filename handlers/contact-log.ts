import type { Reply } from '../src/domain/model/message.js';
import { CASE_CODE, CONTACT_METHODS, CONTACT_TRIGGER, normalizeCaseCode, parseContactParts, type ContactParts } from '../src/domain/followup/contact-message.js';
import { mayActOn } from '../src/domain/followup/access.js';
import { shortDate } from '../src/domain/followup/case-status.js';
import { matchChoices } from '../src/domain/parse-zh/choice.js';
import { normalizeInput } from '../src/domain/parse-zh/normalize.js';
import { parseYesNo } from '../src/domain/parse-zh/yes-no.js';
import { localDateKey } from '../src/domain/calendar/shanghai.js';
import type { CaseRecord, ContactMethod, RiskLevel } from '../src/domain/model/records.js';
import { maskName } from '../src/domain/privacy/mask.js';
import { caseCommand, command, refuseCase } from './followup-shared.js';
import { promptMandatoryReport } from './mandatory-report-prompt.js';
import type { Handler, HandlerContext } from '../src/core/context.js';
import { rememberOutcome } from './repeated-confirm.js';

/** The contact form in progress: what is known so far. */
export interface ContactDialog {
  kind: 'contact';
  code?: string;
  date: string;
  method?: ContactMethod;
  notes?: string;
  riskLevel?: RiskLevel;
  /** The case codes offered as a numbered pick-list, so 「2」 picks the second. */
  offered?: string[];
  /** Guessed from an answer that quoted a reminder: nothing is saved until the user says yes. */
  confirm?: boolean;
}

export const FUTURE_DATE_TEXT = '联系日期不能晚于今天，请重新发送（例如：昨天、11月3日、3号）。';
export const BAD_DATE_TEXT = '没有看懂这个日期，请写成「昨天」「前天」「11月3日」或「3号」。';
export const NOT_ALLOWED_TEXT = '只有该个案的帮扶责任人、牵头单位成员或管理员可以记录走访。';
const METHOD_CHOICES = CONTACT_METHODS.map((m) => ({ label: m, value: m }));
const METHOD_OPTIONS = CONTACT_METHODS.map((m) => ({ value: m, label: m, aliases: m === '上门' ? ['入户', '家访'] : m === '在校' ? ['到校', '学校'] : [] }));

export function isContactTrigger(text: string): boolean {
  return CONTACT_TRIGGER.test(normalizeInput(text));
}

/** Checks a case code the user gave: the reply to send when it cannot be used, else the case. */
function usableCase(ctx: HandlerContext, code: string): CaseRecord | Reply[] {
  const c = ctx.store.cases.getByCode(code);
  if (!c || !mayActOn(c, ctx.member)) return refuseCase(ctx, code, '记录走访', Boolean(c));
  if (c.status === 'closed') return [{ text: `个案 ${code} 已结案，不能再记录走访。` }];
  return c;
}

function merge(d: ContactDialog, p: ContactParts): ContactDialog {
  return {
    ...d,
    ...(p.code && { code: p.code }),
    ...(p.date && { date: p.date }),
    ...(p.method && { method: p.method }),
    ...(p.notes && { notes: p.notes }),
    ...(p.riskLevel && { riskLevel: p.riskLevel }),
  };
}

/** Asks for the first missing field, or saves the contact when nothing is missing. */
function next(ctx: HandlerContext, d: ContactDialog): Reply[] {
  const { msg, store } = ctx;
  const now = ctx.clock.now();
  if (!d.code) {
    store.followup.saveDialog(msg.userId, msg.chatId, d, now);
    const mine = msg.chatType === 'single' ? store.cases.openSummaries({ mentorUserId: msg.userId, limit: 8 }) : [];
    store.followup.saveDialog(msg.userId, msg.chatId, { ...d, offered: mine.map((c) => c.code) }, now);
    // Buttons are narrow: the label drops the town prefix so 2026-0001 and 2026-0002 stay apart;
    // the list in the text names the full codes, and the button sends the full code.
    const list = mine.map((c, i) => `${i + 1}. ${c.code}（${maskName(c.fullName)}，${c.village}）`).join('\n');
    return [
      {
        text: mine.length ? `请选择要记录的个案（回复序号或编号），回复「取消」放弃：\n${list}` : '请发送要记录的个案编号（例如 DJ-2026-0001）。回复「取消」放弃。',
        ...(mine.length ? { choices: mine.map((c) => ({ label: c.code.replace(/^[A-Z]+-/, ''), value: c.code })) } : {}),
      },
    ];
  }
  if (!d.method) {
    store.followup.saveDialog(msg.userId, msg.chatId, d, now);
    return [{ text: `${d.code}：这次是怎么联系的？（上门/电话/微信/在校/其他）`, choices: METHOD_CHOICES }];
  }
  if (!d.notes) {
    store.followup.saveDialog(msg.userId, msg.chatId, d, now);
    return [{ text: `${d.code}：请简要写下联系情况（不写他人姓名、电话）。如需调整风险等级，可一并写「风险高/中/低」。` }];
  }
  store.followup.deleteDialog(msg.userId, msg.chatId);
  const c = usableCase(ctx, d.code);
  if (Array.isArray(c)) return c;
  const before = c.riskLevel;
  store.followup.addContact({ caseId: c.id, date: d.date, method: d.method, notes: d.notes, riskLevel: d.riskLevel ?? null, loggedBy: msg.userId, createdAt: now });
  store.audit.append({ at: now, actor: msg.userId, action: 'change', caseCode: c.code, detail: d.riskLevel && d.riskLevel !== before ? 'contact logged; risk level' : 'contact logged' });
  const risk = d.riskLevel && d.riskLevel !== before ? `风险等级：${before} → ${d.riskLevel}。` : '';
  const reply = { text: `已记录 ${c.code} ${shortDate(d.date)}${d.method}联系。${risk}${promptMandatoryReport(ctx, c, d.notes, 'contact')}` };
  // Should this answer be lost on its way, a 「是」 typed again gets it again, not a second contact.
  rememberOutcome(ctx, 'contact.logged', reply, now);
  return [reply];
}

/** Applies one message (the first, or an answer) to the form. Bad input changes nothing. */
function apply(ctx: HandlerContext, d: ContactDialog, text: string, answering: boolean): Reply[] {
  const now = ctx.clock.now();
  // At the case question, 「2」 or a listed code picks from the list offered, before anything else.
  if (answering && !d.code && d.offered?.length) {
    const picked = matchChoices(text, d.offered.map((code) => ({ value: code, label: code, aliases: [code.replace(/^[A-Z]+-/, '')] })));
    if (picked.ok) {
      const c = usableCase(ctx, picked.values[0]!);
      if (Array.isArray(c)) return c;
      return next(ctx, { ...d, code: c.code });
    }
  }
  const parts = parseContactParts(text, now);
  if (parts.dateError === 'future') return [{ text: FUTURE_DATE_TEXT }];
  if (parts.dateError) return [{ text: BAD_DATE_TEXT }];
  if (answering && !d.method && !parts.method) {
    const picked = matchChoices(text, METHOD_OPTIONS);
    if (picked.ok) parts.method = picked.values[0] as ContactMethod;
    else if (!parts.code && !d.code) return [{ text: '请发送个案编号（例如 DJ-2026-0001），或回复「取消」。' }];
    else if (d.code) return [{ text: '请选择联系方式：上门、电话、微信、在校或其他。', choices: METHOD_CHOICES }];
    if (picked.ok) delete parts.notes;
  }
  if (answering && !d.code && !parts.code) return [{ text: '请发送个案编号（例如 DJ-2026-0001），或回复「取消」。' }];
  const code = parts.code ?? d.code;
  if (code && parts.code) {
    const c = usableCase(ctx, code);
    if (Array.isArray(c)) return c;
  }
  return next(ctx, merge(d, parts));
}

export function continueContact(ctx: HandlerContext, d: ContactDialog): Reply[] {
  if (command(ctx.msg.text) === '取消') {
    ctx.store.followup.deleteDialog(ctx.msg.userId, ctx.msg.chatId);
    return [{ text: '已取消，本次走访没有记录。' }];
  }
  if (d.confirm) {
    const yes = parseYesNo(ctx.msg.text);
    if (yes === false) {
      ctx.store.followup.deleteDialog(ctx.msg.userId, ctx.msg.chatId);
      return [{ text: '好的，没有记录。如需记录走访，请发送「走访 编号 联系情况」。' }];
    }
    if (yes === undefined) return [{ text: '请回复「是」记录这次走访，或「否」不记录。' }];
    const { confirm: _confirmed, ...rest } = d;
    void _confirmed;
    const c = usableCase(ctx, d.code!);
    if (Array.isArray(c)) {
      ctx.store.followup.deleteDialog(ctx.msg.userId, ctx.msg.chatId);
      return c;
    }
    return next(ctx, rest);
  }
  return apply(ctx, d, ctx.msg.text, true);
}

/**
 * 「走访 DJ-2026-0001 电话联系，情况稳定」 logs a contact in one message; when the code, the
 * method or the note is missing, a short form asks for it. The date defaults to today.
 */
export const contactLogHandler: Handler = {
  name: 'contact-log',
  handle(ctx) {
    const cmd = caseCommand(ctx, CONTACT_TRIGGER);
    if (cmd === null || Array.isArray(cmd)) return cmd;
    // A code alone is checked before anything is asked, so a typo is caught at once.
    const { rest, found } = cmd;
    if (found) {
      const c = usableCase(ctx, found.code);
      if (Array.isArray(c)) return c;
    }
    return apply(ctx, { kind: 'contact', date: localDateKey(ctx.clock.now()) }, rest, false);
  },
};

/** Words of an answer that reports a contact, when it quotes a reminder instead of naming the case. */
const SOUNDS_LIKE_CONTACT = /走访|联系|家访|入户|上门|电话|微信|视频|见面|看望|在校|情况|稳定|正常|良好|好转/;

/**
 * A private answer that quotes one of the bot's reminders (「已走访，情况稳定」): the case is the
 * one the reminder named. Nothing is saved on a guess: the bot says what it would record and
 * asks; 「是」 logs it (asking the contact method if the words did not say).
 */
export const quotedContactHandler: Handler = {
  name: 'quoted-contact',
  handle(ctx) {
    const { msg } = ctx;
    if (msg.kind !== 'text' || msg.chatType !== 'single' || !msg.quote || !ctx.member) return null;
    const text = normalizeInput(msg.text);
    if (isContactTrigger(text) || !SOUNDS_LIKE_CONTACT.test(text)) return null;
    const codes = new Set<string>();
    for (const m of msg.quote.matchAll(new RegExp(CASE_CODE.source, 'g'))) codes.add(normalizeCaseCode(m));
    if (codes.size === 0) return null;
    if (codes.size > 1) {
      return [{ text: `引用的消息里有 ${codes.size} 个个案，请写明是哪一个，例如「走访 ${[...codes][0]} ${text}」。` }];
    }
    const code = [...codes][0]!;
    const c = usableCase(ctx, code);
    if (Array.isArray(c)) return c;
    const now = ctx.clock.now();
    const parts = parseContactParts(text, now);
    if (parts.dateError === 'future') return [{ text: FUTURE_DATE_TEXT }];
    const d: ContactDialog = {
      kind: 'contact',
      code,
      date: parts.date ?? localDateKey(now),
      notes: parts.notes ?? text,
      ...(parts.method ? { method: parts.method } : {}),
      ...(parts.riskLevel ? { riskLevel: parts.riskLevel } : {}),
      confirm: true,
    };
    ctx.store.followup.saveDialog(msg.userId, msg.chatId, d, now);
    const how = d.method ? `，${d.method}联系` : '';
    return [{ text: `要为个案 ${code} 记录 ${shortDate(d.date)}${how}的走访：「${d.notes}」吗？请回复「是」或「否」。` }];
  },
};
