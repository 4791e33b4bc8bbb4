import { z } from 'zod';
import { localDateKey } from '../calendar/shanghai.js';
import { MAX_TEXT } from '../intake/engine.js';
import type { Answers, FormDef, FormEnv, ParseOutcome } from '../intake/form.js';
import { matchChoices, type ChoiceOption } from '../parse-zh/choice.js';
import { parseYesNo } from '../parse-zh/yes-no.js';
import { shortDate } from './case-status.js';
import { parseContactDate } from './contact-date.js';
import { CONTACT_METHODS, parseContactParts, type ContactParts } from './contact-message.js';

export const CONTACT_FORM_ID = 'contact-log';
export const CONTACT_RESUME_MARK = '—— 继续走访记录 ——';

export const FUTURE_DATE_TEXT = '联系日期不能晚于今天，请重新发送（例如：昨天、11月3日、3号）。';
export const BAD_DATE_TEXT = '没有看懂这个日期，请写成「昨天」「前天」「11月3日」或「3号」。';
export const QUOTE_DECLINED_TEXT = '好的，没有记录。如需记录走访，请发送「走访 编号 联系情况」。';

const METHOD_OPTIONS: ChoiceOption[] = CONTACT_METHODS.map((m) => ({
  value: m,
  label: m,
  aliases: m === '上门' ? ['入户', '家访'] : m === '在校' ? ['到校', '学校'] : [],
}));

/** A case the sender may pick by its number: the line shown in the list and the code it stands for. */
export interface OfferedCase {
  code: string;
  line: string;
}

export interface ContactFormDeps {
  /** The sender's open cases, numbered in the case question (private chat only). */
  offered: readonly OfferedCase[];
  /** Why this case cannot be logged for (not found, not allowed, closed); undefined when it can. */
  refuse: (code: string) => Promise<string | undefined>;
  /** In a group the note is never shown back (「查看」, 「修改 情况」): it may name the child. */
  group: boolean;
}

const dateError = (p: ContactParts): ParseOutcome | undefined =>
  p.dateError === 'future' ? { ok: false, error: FUTURE_DATE_TEXT, whole: true } : p.dateError ? { ok: false, error: BAD_DATE_TEXT, whole: true } : undefined;

/** The day the contact is logged for: the one said, else today. */
export const contactDay = (a: Answers, now: Date): string => (typeof a.date === 'string' ? a.date : localDateKey(now));

/**
 * What a message says about a contact besides the question it answers: the method, the date,
 * a risk level and, when the message named the method or the case, the note (「电话 孩子稳定」).
 * A bare 「2」 picks from a list and says nothing else.
 */
export function contactAnswers(text: string, now: Date): Answers {
  const p = parseContactParts(text, now);
  return {
    ...(p.method && { method: p.method }),
    ...((p.method || p.code) && p.notes && { notes: p.notes }),
    ...(p.date && { date: p.date }),
    ...(p.riskLevel && { riskLevel: p.riskLevel }),
  };
}

/**
 * 走访 as a form: the case, how the contact was made and what was found, with the date (today
 * unless said) and a new risk level read from any answer. A command that says it all is saved at
 * once; an answer that quoted a reminder is a guess and is confirmed first.
 */
export function contactForm(deps: ContactFormDeps): FormDef {
  const options: ChoiceOption[] = deps.offered.map((o) => ({ value: o.code, label: o.code, aliases: [o.code.replace(/^[A-Z]+-/, '')] }));
  const list = deps.offered.map((o, i) => `${i + 1}. ${o.line}`).join('\n');
  const codeError = async (p: ContactParts, code: string | undefined): Promise<ParseOutcome> => {
    const bad = dateError(p);
    if (bad) return bad;
    if (!code) return { ok: false, error: '请发送个案编号（例如 DJ-2026-0001），或回复「取消」。', whole: true };
    const refused = await deps.refuse(code);
    return refused ? { ok: false, error: refused, whole: true } : { ok: true, value: code };
  };
  return {
    id: CONTACT_FORM_ID,
    version: 1,
    title: '走访记录',
    confirm: false,
    cancelAtOnce: true,
    corrections: false,
    texts: {
      start: null,
      cancelled: () => '已取消，本次走访没有记录。',
      resumeMark: CONTACT_RESUME_MARK,
      help: '正在记录走访。可用：「上一步」回到上一题；「修改 联系方式」「修改 日期」改某一项；「取消」放弃记录。',
      updated: '走访记录的问题已更新，已填内容都保留了；请接着回答下面的问题。',
      requiredWayOut: '不记录了请回复「取消」。',
      cannotSkip: (label) => `「${label}」不能跳过；不记录了请回复「取消」。`,
    },
    fillsInPassing: ['method', 'notes', 'date', 'riskLevel'],
    prefill: (text, env) => ({ answers: contactAnswers(text, env.now) }),
    steps: [
      {
        // A marker set by the caller when the case was guessed from a quoted reminder: never
        // asked, shown or offered for 「修改」.
        key: 'quoted',
        label: '引用提醒',
        prompt: '',
        kind: 'yesno',
        inFlow: false,
        when: () => false,
        schema: z.boolean(),
        expect: '是或否',
        example: '是',
      },
      {
        key: 'guess',
        label: '确认记录',
        when: (a) => a.quoted === true,
        prompt: (a, env) => {
          const how = typeof a.method === 'string' ? `，${a.method}联系` : '';
          return `要为个案 ${String(a.code)} 记录 ${shortDate(contactDay(a, env.now))}${how}的走访：「${String(a.notes)}」吗？请回复「是」或「否」。`;
        },
        kind: 'custom',
        required: true,
        listsOptions: true,
        options: [{ value: '是', label: '是', aliases: [] }, { value: '否', label: '否', aliases: [] }],
        schema: z.literal(true),
        expect: '是或否',
        example: '是',
        parse: (text) => {
          const yes = parseYesNo(text);
          if (yes === true) return { ok: true, value: true };
          if (yes === false) return { ok: 'end', reply: QUOTE_DECLINED_TEXT };
          return { ok: false, error: '请回复「是」记录这次走访，或「否」不记录。', whole: true };
        },
      },
      {
        key: 'code',
        label: '个案',
        editNames: ['编号', '个案编号'],
        prompt: () =>
          deps.offered.length ? `请选择要记录的个案（回复序号或编号），回复「取消」放弃：\n${list}` : '请发送要记录的个案编号（例如 DJ-2026-0001）。回复「取消」放弃。',
        kind: 'custom',
        required: true,
        listsOptions: true,
        options,
        // Buttons are narrow: without the town prefix 2026-0001 and 2026-0002 stay apart.
        buttonLabel: (o) => o.label.replace(/^[A-Z]+-/, ''),
        schema: z.string().min(1),
        expect: '个案编号',
        example: 'DJ-2026-0001',
        parse: (text, _a, env) => {
          const p = parseContactParts(text, env.now);
          // 「2」 or a listed code picks from the list offered, before anything else.
          const picked = options.length ? matchChoices(text, options) : undefined;
          return codeError(p, picked?.ok ? picked.values[0] : p.code);
        },
      },
      {
        key: 'method',
        label: '联系方式',
        editNames: ['方式'],
        prompt: (a) => `${String(a.code)}：这次是怎么联系的？（上门/电话/微信/在校/其他）`,
        kind: 'custom',
        required: true,
        options: METHOD_OPTIONS,
        schema: z.enum(CONTACT_METHODS as [string, ...string[]]),
        expect: '联系方式',
        example: '电话',
        parse: (text, _a, env) => {
          const p = parseContactParts(text, env.now);
          const bad = dateError(p);
          if (bad) return bad;
          if (p.method) return { ok: true, value: p.method };
          const picked = matchChoices(text, METHOD_OPTIONS);
          if (picked.ok) return { ok: true, value: picked.values[0]! };
          return { ok: false, error: '请选择联系方式：上门、电话、微信、在校或其他。', whole: true };
        },
      },
      {
        key: 'notes',
        label: '联系情况',
        editNames: ['情况'],
        prompt: (a) => `${String(a.code)}：请简要写下联系情况（不写他人姓名、电话）。如需调整风险等级，可一并写「风险高/中/低」。`,
        kind: 'custom',
        required: true,
        schema: z.string().min(1).max(MAX_TEXT),
        expect: '联系情况',
        example: '孩子在家，情况稳定',
        display: (v) => (deps.group ? '（已填写）' : String(v)),
        parse: (text, _a, env) => {
          const p = parseContactParts(text, env.now);
          const bad = dateError(p);
          if (bad) return bad;
          if (!p.notes) return { ok: false, error: '请简要写下联系情况。', whole: true };
          if (p.notes.length > MAX_TEXT) return { ok: false, error: `内容过长（${p.notes.length} 字，最多 ${MAX_TEXT} 字）` };
          return { ok: true, value: p.notes };
        },
      },
      {
        key: 'date',
        label: '联系日期',
        editNames: ['日期'],
        prompt: (a, env: FormEnv) => `哪天联系的？（现在：${shortDate(contactDay(a, env.now))}；例如：昨天、11月3日、3号）`,
        kind: 'custom',
        inFlow: false,
        schema: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        expect: '联系日期',
        example: '昨天',
        parse: (text, _a, env) => {
          const r = parseContactDate(text, env.now);
          if (r.ok) return { ok: true, value: r.date };
          return { ok: false, error: r.reason === 'future' ? FUTURE_DATE_TEXT : BAD_DATE_TEXT, whole: true };
        },
      },
      {
        key: 'riskLevel',
        label: '风险等级',
        editNames: ['风险'],
        prompt: '风险等级调整为？（低/中/高）',
        kind: 'custom',
        inFlow: false,
        optional: true,
        options: ['低', '中', '高'].map((v) => ({ value: v, label: v, aliases: [] })),
        schema: z.enum(['低', '中', '高']).nullable(),
        expect: '低、中或高',
        example: '高',
        // Read without echoing the words typed (a group may be listening).
        parse: (text) => {
          const m = /^(?:风险)?\s*([低中高])\s*(?:风险)?$/.exec(text.trim());
          return m ? { ok: true, value: m[1]! } : { ok: false, error: '请回复「低」「中」或「高」。', whole: true };
        },
      },
    ],
  };
}
