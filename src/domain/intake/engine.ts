import type { z } from 'zod';
import type { Reply } from '../model/message.js';
import { matchChoices, type ChoiceOption } from '../parse-zh/choice.js';
import { parseDate, formatIsoPartial, isInFuture } from '../parse-zh/date.js';
import { extractMobile, parseMobile } from '../parse-zh/mobile.js';
import { normalizeInput, stripEdgePunctuation } from '../parse-zh/normalize.js';
import { parsePersonName } from '../parse-zh/person-name.js';
import { parseYesNo } from '../parse-zh/yes-no.js';
import { parseLooseDate, saysUnknown, spotChoices } from '../parse-zh/spoken.js';
import type { Answers, FormDef, FormEnv, FormTexts, ParseOutcome, StepDef } from './form.js';

export const CONFIRM = '__confirm';

/** Free text longer than this is refused with a clear reply rather than stored. */
export const MAX_TEXT = 2000;

export type Pending =
  | { type: 'cancel' }
  | { type: 'conflict'; key: string; value: unknown; patch?: Answers; question: string }
  | { type: 'duplicate'; codes: string[]; /** Asked mid-form, as soon as the answers matched. */ early?: boolean };

/** Everything the engine needs to continue a form; stored as JSON between messages. */
export interface EngineState {
  formId: string;
  answers: Answers;
  /** Keys filled from the user's first message rather than asked. */
  prefilled: string[];
  /** Keys computed from other answers, with the key they came from. */
  derived: Record<string, string>;
  /** Keys answered through questions, in order, for 「上一步」. */
  history: string[];
  current: string;
  pending?: Pending;
  /** Must-report signs already announced in this draft. */
  signsSaid: string[];
  /** Store ids of the recorded announcements, linked to the case on submit. */
  reportIds: number[];
  /** True once the user chose to create a case despite a likely duplicate. */
  duplicateAcknowledged?: boolean;
  /** The form version the draft was written under (see FormDef.version). */
  version?: number;
  /** Keys the person did not know: recorded as null and shown as 待补充. */
  unknown?: string[];
  /** Keys whose value is an estimate (an age instead of a birth date). */
  estimated?: string[];
  /** Failed answers to the current question, by key: the second shows options, the third never refuses. */
  failures?: Record<string, number>;
  /** What an incomplete combined answer already gave, by key. */
  partial?: Record<string, unknown>;
}

/** 待补充: how an unknown field reads, in summaries and in 我的个案. */
export const UNKNOWN_TEXT = '待补充';
const WAY_OUT = '不清楚可回复「不知道」或「稍后补充」，先记为待补充，以后再补。';

export type Outcome = 'continue' | 'cancelled' | 'submit';

const DEFAULT_TEXTS: Omit<FormTexts, 'start' | 'cancelled'> = {
  cancelQuestion: '确定放弃这份登记吗？已填的内容会被删除。请回复「是」或「否」。',
  resumeMark: '—— 继续登记 ——',
  help: '正在进行个案登记。可用：「上一步」回到上一题；「跳过」跳过选填项；「修改 字段名」改某一项（如「修改 姓名」）；「查看」看已填内容；「取消」放弃登记。',
  updated: '登记表已更新，已填内容都保留了；请接着回答下面的问题。',
  requiredWayOut: null,
  cannotSkip: (label) => `「${label}」是必填项，不能跳过：没有它个案无法建档。`,
};

/** The form's texts, the registration's wherever the form does not give its own. */
export function textsOf(form: FormDef): FormTexts {
  return {
    start: `开始${form.title}。随时可回复「上一步」「跳过」「修改 字段」「查看」「取消」「帮助」。`,
    cancelled: () => `已取消，${form.title}草稿已删除。`,
    ...DEFAULT_TEXTS,
    ...form.texts,
  };
}

export interface EngineResult {
  state: EngineState;
  reply: Reply;
  outcome: Outcome;
  /** Signs seen for the first time in this turn; the caller records that they were announced. */
  newSigns: string[];
}

const COMMANDS: Array<[RegExp, Command['type']]> = [
  [/^(取消|取消登记|放弃|放弃登记|不登记了|退出)$/, 'cancel'],
  // 「取消吧 我还没问清楚情况」「算了取消吧 …」: a cancel word leading the message, with a reason after it.
  [/^(?:算了|那)?\s*(?:取消|放弃登记|不登了|不用登了|不登记了)(?:吧|了)?(?:\s|，|,|$)/, 'cancel'],
  [/^(上一步|返回|后退|回到上一步)$/, 'back'],
  [/^(跳过|略过|不填|暂不填写|下一个|下一题)$/, 'skip'],
  [/^(查看|查看已填|看看|预览|已填内容)$/, 'view'],
  [/^(帮助|help|\?|？|怎么填)$/i, 'help'],
  // A greeting or 继续 is never an answer: it shows the pending question again.
  [/^(继续|继续登记|接着登记|接着填|你好|您好|在吗|在不在|hi|hello|嗨|喂|你好啊|您好啊)$/i, 'resume'],
];

type Command = { type: 'cancel' | 'back' | 'skip' | 'view' | 'help' | 'resume' } | { type: 'edit'; field: string };

export function parseCommand(text: string): Command | undefined {
  const s = stripEdgePunctuation(normalizeInput(text));
  for (const [re, type] of COMMANDS) if (re.test(s)) return { type } as Command;
  const edit = /^(?:修改|更改|改正|改)\s*(.*)$/.exec(s);
  if (edit) return { type: 'edit', field: edit[1]!.trim() };
  return undefined;
}

function optionsOf(step: StepDef, env: FormEnv): readonly ChoiceOption[] {
  return typeof step.options === 'function' ? step.options(env) : (step.options ?? []);
}

function schemaOf(step: StepDef, env: FormEnv): z.ZodType {
  return typeof step.schema === 'function' ? step.schema(env) : step.schema;
}

function isOptional(step: StepDef, answers: Answers): boolean {
  return typeof step.optional === 'function' ? step.optional(answers) : step.optional === true;
}

export function stepByKey(form: FormDef, key: string): StepDef | undefined {
  return form.steps.find((s) => s.key === key);
}

/** Whether a step belongs to this case at all (its category and condition hold). */
export function applies(step: StepDef, answers: Answers): boolean {
  if (step.categories) {
    const cats = Array.isArray(answers.categories) ? (answers.categories as string[]) : [];
    if (!step.categories.some((c) => cats.includes(c))) return false;
  }
  return step.when ? step.when(answers) : true;
}

function nextKey(form: FormDef, answers: Answers): string {
  const step = form.steps.find((s) => s.inFlow !== false && applies(s, answers) && !(s.key in answers));
  return step ? step.key : CONFIRM;
}

export function displayValue(step: StepDef, value: unknown, env: FormEnv): string {
  if (value === null || value === undefined) return '未填';
  if (step.display) return step.display(value, env);
  const opts = optionsOf(step, env);
  const label = (v: string) => opts.find((o) => o.value === v)?.label ?? v;
  // By the value's shape, not the step's kind: a custom step stores the same shapes (a choice
  // with detail, a yes/no, a contact) and must not show as [object Object] or false.
  if (Array.isArray(value)) return value.map((v) => label(String(v))).join('、');
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.choice === 'string') {
      const detail = typeof o.detail === 'string' && o.detail ? o.detail : null;
      return detail ? `${label(o.choice)}（${detail}）` : label(o.choice);
    }
    if ('name' in o || 'mobile' in o) {
      const part = (x: unknown) => (typeof x === 'string' && x ? x : '不详');
      return `${part(o.name)} ${part(o.mobile)}`;
    }
  }
  return label(String(value));
}

/** More options than this are not listed in a chat message. */
export const MAX_LISTED_CHOICES = 20;

function promptOf(form: FormDef, state: EngineState, env: FormEnv): Reply {
  if (state.current === CONFIRM) return summary(form, state, env, true);
  const step = stepByKey(form, state.current)!;
  const lines = [typeof step.prompt === 'function' ? step.prompt(state.answers, env) : step.prompt];
  const opts = step.kind === 'choice' || step.kind === 'multi' || step.kind === 'custom' ? optionsOf(step, env) : [];
  if (step.kind === 'multi') lines.push('可多选，用顿号或空格隔开，如「1、3」。');
  if (state.current in state.answers) lines.push(`（当前：${displayValue(step, state.answers[state.current], env)}）`);
  else if (state.partial?.[state.current] !== undefined) lines.push(`（已记下：${displayValue(step, state.partial[state.current], env)}；不清楚的部分可回复「不知道」）`);
  if (isOptional(step, state.answers)) lines.push('没有或暂不清楚可回复「跳过」。');
  const failures = state.failures?.[state.current] ?? 0;
  const reply: Reply = { text: lines.join('\n') };
  if (failures >= 2 && opts.length && opts.length <= MAX_LISTED_CHOICES && !step.listsOptions) {
    // The second miss: every option by number, so a reply of 「3」 always works.
    reply.text += '\n' + opts.map((o, i) => `${i + 1}. ${o.label}`).join('\n');
  }
  if (failures >= 1 && !step.required) reply.text += `\n${WAY_OUT}`;
  const requiredWayOut = textsOf(form).requiredWayOut;
  if (failures >= 2 && step.required && requiredWayOut) reply.text += `\n${requiredWayOut}`;
  // Channels show choices as buttons or a numbered list; typing the number or the label works.
  // A long list (every cadre of a big town) is not sent: the step's suggestions are, and any
  // option can still be typed by name.
  const listed = opts.length > MAX_LISTED_CHOICES ? (step.suggest?.(state.answers, env) ?? []).slice(0, MAX_LISTED_CHOICES) : opts;
  if (listed.length) reply.choices = listed.map((o) => ({ label: step.buttonLabel?.(o) ?? o.label, value: o.label }));
  if (failures >= 2 && !step.required) {
    reply.choices = [...(reply.choices ?? []), { label: '不知道', value: '不知道' }, { label: '稍后补充', value: '稍后补充' }];
  }
  return reply;
}

/** The answers so far; `forConfirm` adds the duplicate-free closing question. */
export function summary(form: FormDef, state: EngineState, env: FormEnv, forConfirm: boolean): Reply {
  const lines = [forConfirm ? `请核对${form.title}：` : `${form.title}（已填）：`];
  const extras: string[] = [];
  for (const step of form.steps) {
    if (!applies(step, state.answers)) continue;
    if (!(step.key in state.answers)) {
      if (step.inFlow === false) extras.push(step.label);
      else if (!forConfirm) lines.push(`${step.label}：（待填）`);
      continue;
    }
    let mark = '';
    if (state.estimated?.includes(step.key)) mark = '（估计）';
    if (state.prefilled.includes(step.key)) mark = '（自动识别，请核对）';
    else if (step.key in state.derived) mark = step.derivedMark ?? '（推断）';
    const unknown = state.answers[step.key] === null && state.unknown?.includes(step.key);
    lines.push(`${step.label}：${unknown ? UNKNOWN_TEXT : displayValue(step, state.answers[step.key], env)}${mark}`);
  }
  if (forConfirm) {
    if (extras.length) lines.push(`可补充：${extras.join('、')}（回复「修改 ${extras[0]}」）`);
    lines.push('无误请回复「确认」保存；要改某项请回复「修改 字段名」，如「修改 姓名」；放弃请回复「取消」。');
  }
  return { text: lines.join('\n') };
}

function errorReply(step: StepDef, reason: string, form: FormDef, state: EngineState, env: FormEnv, whole = false): Reply {
  const again = promptOf(form, state, env);
  if (whole) return { ...again, text: `${reason}\n${again.text}` };
  return { ...again, text: `${reason}。请输入${step.expect}，例如：${step.example}\n${again.text}` };
}

/** Reads the text with the step's kind, before the schema check. */
async function parseFor(step: StepDef, text: string, answers: Answers, env: FormEnv, partial?: unknown): Promise<ParseOutcome> {
  if (step.parse) return await step.parse(text, answers, env, partial);
  const s = normalizeInput(text);
  switch (step.kind) {
    case 'text': {
      const t = text.trim();
      if (!t) return { ok: false, error: '内容为空' };
      if (t.length > MAX_TEXT) return { ok: false, error: `内容过长（${t.length} 字，最多 ${MAX_TEXT} 字）` };
      return { ok: true, value: t };
    }
    case 'name': {
      const n = parsePersonName(s);
      return n ? { ok: true, value: n } : { ok: false, error: '姓名应为 2–30 个汉字（少数民族姓名可用「·」）' };
    }
    case 'date': {
      const r0 = parseDate(s, env.now);
      const loose = r0.ok ? undefined : parseLooseDate(s, env.now);
      const r = loose ? ({ ok: true, date: loose.date } as const) : r0;
      if (!r.ok) return { ok: false, error: r.reason === 'invalid' ? '这个日期不存在' : '没能识别这个日期' };
      if (r.date.month === undefined && !loose?.approximate) return { ok: false, error: '请至少写到月份' };
      if (isInFuture(r.date, env.now)) return { ok: false, error: '日期不能晚于今天' };
      // 「去年腊月」「今年开春」「前年」: kept, and marked as an estimate.
      return loose?.approximate ? { ok: true, value: formatIsoPartial(r.date), note: 'approximate' } : { ok: true, value: formatIsoPartial(r.date) };
    }
    case 'mobile': {
      const m = parseMobile(s);
      return m ? { ok: true, value: m } : { ok: false, error: '手机号应为 1 开头的 11 位数字' };
    }
    case 'yesno': {
      const b = parseYesNo(s);
      return b === undefined ? { ok: false, error: '请回答「是」或「否」' } : { ok: true, value: b };
    }
    case 'choice':
    case 'multi': {
      const opts = optionsOf(step, env);
      const r = matchChoices(text, opts, { multiple: step.kind === 'multi', allowDetail: step.allowDetail === true });
      if (!r.ok) {
        // A phrase that names options inside it: 「就奶奶一个人带着的」, 「打架 偷东西」.
        let spotted = spotChoices(text, opts);
        if (!spotted.length && r.reason === 'single-only') {
          // 「学校进行了训导，也通知了家长」: the first part that names an option.
          for (const part of text.split(/[、,，;；\s/|]+/)) {
            const one = matchChoices(part, opts);
            if (one.ok) {
              spotted = one.values;
              break;
            }
          }
        }
        // A number out of range is a typo to report, never a part to drop.
        if (step.kind === 'multi' && r.reason === 'unknown' && !/^[\d〇零一二两三四五六七八九十]+$/.test(r.token ?? '')) {
          // 「故意伤害 致人重伤」: the parts that name options, with the others as spoken detail.
          const parts = text.split(/[、,，;；\s/|]+/).flatMap((part) => {
            const one = matchChoices(part, opts);
            return one.ok ? one.values : spotChoices(part, opts);
          });
          for (const v of parts) if (!spotted.includes(v)) spotted.push(v);
        }
        if (spotted.length) {
          if (step.kind === 'multi') return { ok: true, value: spotted };
          if (step.allowDetail) return { ok: true, value: { choice: spotted[0]!, detail: stripEdgePunctuation(text).slice(0, 200) || null } };
          return { ok: true, value: spotted[0]! };
        }
        if (r.reason === 'ambiguous') return { ok: false, error: `「${r.token}」可能是：${r.candidates!.join('、')}，请说得更具体或回复序号` };
        if (r.reason === 'single-only') return { ok: false, error: '这一项只能选一个' };
        return { ok: false, error: r.token ? `没有「${r.token}」这个选项` : '没有识别到选项' };
      }
      if (step.kind === 'multi') return { ok: true, value: r.values };
      if (step.allowDetail) return { ok: true, value: { choice: r.values[0]!, detail: r.detail || null } };
      return { ok: true, value: r.values[0]! };
    }
    case 'contact': {
      const found = extractMobile(text);
      if (!found) return { ok: false, error: '没有找到 11 位手机号' };
      const name = parsePersonName(stripEdgePunctuation(found.rest.replace(/(姓名|名字|手机号码|手机号|手机|电话|联系方式|是|叫)[:：]?/g, ' ')));
      if (!name) return { ok: false, error: '没有找到姓名（2–30 个汉字）' };
      return { ok: true, value: { name, mobile: found.mobile } };
    }
    case 'custom':
      return { ok: false, error: '无法识别' };
  }
}

function recomputeDerived(form: FormDef, state: EngineState, env: FormEnv): void {
  if (!form.derive) return;
  // Drop what was derived before: its source may have changed.
  for (const key of Object.keys(state.derived)) delete state.answers[key];
  state.derived = {};
  const derived = form.derive(state.answers, env);
  for (const [key, { value, from }] of Object.entries(derived)) {
    if (key in state.answers) continue;
    state.answers[key] = value;
    state.derived[key] = from;
  }
}

function detect(form: FormDef, state: EngineState, text: string, env: FormEnv): string[] {
  if (!form.signs) return [];
  const fresh = form.signs(state.answers, text, env).filter((s) => !state.signsSaid.includes(s));
  state.signsSaid.push(...fresh);
  return fresh;
}

function withSigns(form: FormDef, reply: Reply, signs: string[]): Reply {
  if (!signs.length || !form.signNotice) return reply;
  return { ...reply, text: `${form.signNotice(signs)}\n\n${reply.text}` };
}

function clone(state: EngineState): EngineState {
  return JSON.parse(JSON.stringify(state)) as EngineState;
}

export function newState(form: FormDef): EngineState {
  return { formId: form.id, version: form.version, answers: {}, prefilled: [], derived: {}, history: [], current: form.steps[0]!.key, signsSaid: [], reportIds: [] };
}

/**
 * Brings a draft saved under another form version (or by older code) up to this one: answers to
 * steps that no longer exist are dropped, and a current step that no longer exists is replaced
 * by the first open question. Returns a note for the user when something changed.
 */
export function migrateState(form: FormDef, state: EngineState): string | undefined {
  const keys = new Set(form.steps.map((s) => s.key));
  let changed = false;
  for (const k of Object.keys(state.answers)) {
    if (!keys.has(k)) {
      delete state.answers[k];
      changed = true;
    }
  }
  state.prefilled = state.prefilled.filter((k) => keys.has(k));
  state.history = state.history.filter((k) => keys.has(k));
  for (const k of Object.keys(state.derived)) if (!keys.has(k)) delete state.derived[k];
  if (state.unknown) state.unknown = state.unknown.filter((k) => keys.has(k));
  if (state.pending?.type === 'conflict' && !keys.has(state.pending.key)) delete state.pending;
  if (state.current !== CONFIRM && !keys.has(state.current)) {
    state.current = nextKey(form, state.answers);
    changed = true;
  }
  const stale = state.version !== form.version;
  state.version = form.version;
  return changed || stale ? textsOf(form).updated : undefined;
}

function markUnknown(state: EngineState, key: string): void {
  state.unknown ??= [];
  if (!state.unknown.includes(key)) state.unknown.push(key);
}

function clearMarks(state: EngineState, key: string): void {
  if (state.unknown) state.unknown = state.unknown.filter((k) => k !== key);
  if (state.estimated) state.estimated = state.estimated.filter((k) => k !== key);
  if (state.failures) delete state.failures[key];
  if (state.partial) delete state.partial[key];
}

/** Words that say 「what I wrote before was wrong」; the new value follows. */
const CORRECTION = /不对|更正|打错|说错|写错|搞错|记错|弄错|改一下|改成|应该是|纠正/;

/**
 * A correction of an earlier answer typed while another question is open: 「外婆电话打错了 是
 * 187…」. The field is the one the text names, or else the only answered field the new value
 * fits; candidates are tried on the text after the correction words.
 */
async function findCorrection(form: FormDef, state: EngineState, text: string, env: FormEnv): Promise<{ key: string; value: unknown } | undefined> {
  if (!CORRECTION.test(text)) return undefined;
  const answered = form.steps.filter((s) => applies(s, state.answers) && s.key in state.answers && s.key !== state.current && s.kind !== 'text');
  const named = answered.filter((s) => [s.label, ...(s.editNames ?? [])].some((n) => n.length >= 2 && text.includes(n)));
  const body = text.replace(/^.*?(?:不对不对|不对|更正一下|更正|纠正一下|改一下)[，,。\s]*/, '');
  const afterIs = /是([^是]+)$/.exec(body)?.[1];
  const pieces = [afterIs, body, ...body.split(/[\s，,。]+/).reverse()].filter((x): x is string => Boolean(x && x.trim()));
  const tryStep = async (step: StepDef): Promise<unknown> => {
    for (const piece of pieces) {
      const r = await parseFor(step, piece, state.answers, env, step.kind === 'contact' ? state.answers[step.key] : undefined);
      if (r.ok !== true) continue;
      const checked = schemaOf(step, env).safeParse(r.value);
      if (checked.success && JSON.stringify(checked.data) !== JSON.stringify(state.answers[step.key])) return checked.data;
    }
    return undefined;
  };
  for (const step of named) {
    const v = await tryStep(step);
    if (v !== undefined) return { key: step.key, value: v };
  }
  if (named.length) return undefined;
  const fits: Array<{ key: string; value: unknown }> = [];
  for (const s of answered.filter((s) => s.kind === 'choice' || s.kind === 'multi' || s.kind === 'custom' || s.kind === 'date')) {
    const v = await tryStep(s);
    if (v !== undefined) fits.push({ key: s.key, value: v });
  }
  return fits.length === 1 ? fits[0] : undefined;
}

/**
 * Starts a form, filling what the first message already says. Inferred values that break a
 * rule (e.g. an age limit) are dropped and asked instead.
 */
export async function startForm(form: FormDef, env: FormEnv, firstText = '', given: Answers = {}): Promise<EngineResult> {
  const state = newState(form);
  const notes: string[] = [];
  // Answers the caller read from its own command (「走访 DJ-2026-0001 电话」): set without comment.
  for (const [k, v] of Object.entries(given)) {
    const step = stepByKey(form, k);
    if (step && schemaOf(step, env).safeParse(v).success) state.answers[k] = v;
  }
  if (form.prefill && firstText.trim()) {
    const { answers, estimated, partial } = form.prefill(firstText, env);
    if (estimated?.length) state.estimated = [...estimated];
    if (partial) state.partial = { ...partial };
    for (const [k, v] of Object.entries(answers)) {
      const step = stepByKey(form, k);
      if (!step || !schemaOf(step, env).safeParse(v).success) continue;
      state.answers[k] = v;
      state.prefilled.push(k);
    }
    recomputeDerived(form, state, env);
    for (let guard = 0; guard < 5; guard++) {
      const failure = form.check?.(state.answers, env);
      if (!failure) break;
      notes.push(failure.message);
      delete state.answers[failure.blame];
      state.prefilled = state.prefilled.filter((k) => k !== failure.blame);
      recomputeDerived(form, state, env);
    }
  }
  state.current = nextKey(form, state.answers);
  const signs = detect(form, state, firstText, env);
  const dup = await earlyDuplicate(state, env);
  if (submitsNow(form, state)) return { state, reply: { text: '' }, outcome: 'submit', newSigns: signs };
  const start = textsOf(form).start;
  const head: string[] = start ? [start] : [];
  if (state.prefilled.length) {
    const order = (k: string) => form.steps.findIndex((s) => s.key === k);
    const got = [...state.prefilled].sort((x, y) => order(x) - order(y)).map((k) => {
      const step = stepByKey(form, k)!;
      return `${step.label}：${displayValue(step, state.answers[k], env)}`;
    });
    head.push(`已从您的消息识别：${got.join('；')}。如有不对，可回复「修改 字段名」。`);
  }
  head.push(...notes);
  const prompt = dup ?? promptOf(form, state, env);
  const text = head.length ? `${head.join('\n')}\n\n${prompt.text}` : prompt.text;
  return { state, reply: keyed(form, state, withSigns(form, { ...prompt, text }, signs)), outcome: 'continue', newSigns: signs };
}

/** A form without a 「请核对」 step is submitted as soon as nothing is left to ask. */
function submitsNow(form: FormDef, state: EngineState): boolean {
  return form.confirm === false && state.current === CONFIRM && !state.pending;
}

const duplicateQuestion = (codes: readonly string[]) =>
  `这个孩子可能已经登记过：${codes.join('、')}（姓名读音、户籍村和出生日期相近，或身份证号相同）。仍要继续新建吗？请回复「是」继续，或「否」放弃。`;

/** Asks about a likely duplicate as soon as the answers match one, not only at 确认. */
async function earlyDuplicate(state: EngineState, env: FormEnv): Promise<Reply | undefined> {
  if (state.duplicateAcknowledged || state.pending || !env.findDuplicates) return undefined;
  const codes = await env.findDuplicates(state.answers);
  if (!codes.length) return undefined;
  state.pending = { type: 'duplicate', codes, early: true };
  return { text: duplicateQuestion(codes), choices: [{ label: '是', value: '是' }, { label: '否', value: '否' }] };
}

function findEditStep(form: FormDef, field: string, answers: Answers, env: FormEnv): StepDef | 'ambiguous' | undefined {
  const candidates = form.steps.filter((s) => applies(s, answers));
  const options: ChoiceOption[] = candidates.map((s) => ({ value: s.key, label: s.label, aliases: s.editNames ?? [] }));
  const r = matchChoices(field, options);
  void env;
  if (r.ok) return stepByKey(form, r.values[0]!);
  return r.reason === 'ambiguous' ? 'ambiguous' : undefined;
}

/**
 * Applies one message to a form in progress: a command (取消, 上一步, 跳过, 修改 …, 查看, 帮助),
 * an answer to a pending yes/no question, or an answer to the current step.
 */
export async function handleInput(form: FormDef, prev: EngineState, text: string, env: FormEnv, opts: { cardKey?: string } = {}): Promise<EngineResult> {
  const current = clone(prev);
  const migrated = migrateState(form, current);
  if (opts.cardKey !== undefined && opts.cardKey !== questionKey(form, current)) {
    // A tap on a card of another question, or of the form as it was before an update: taking it
    // would file the old choice under whatever is asked now.
    const p = keyed(form, current, promptNow(form, current, env));
    const why = opts.cardKey.startsWith(`${form.id}:${form.version}:`) ? '' : '（登记表已更新）';
    return {
      state: current,
      reply: { ...p, text: `${STALE_TAP_TEXT.replace('已过期', `已过期${why}`)}\n当前的提问是：\n${p.text}`, staleTap: true },
      outcome: 'continue',
      newSigns: [],
    };
  }
  const r = await applyInput(form, current, text, env);
  const out = migrated && r.reply.text ? { ...r, reply: { ...r.reply, text: `${migrated}\n${r.reply.text}` } } : r;
  return out.outcome === 'continue' ? { ...out, reply: keyed(form, out.state, out.reply) } : out;
}

/** What a tap on a card of a question no longer asked gets, before the current question. */
export const STALE_TAP_TEXT = '这张卡片已过期，刚才的点击没有记录。';

/**
 * What a card asking this state's question answers: the form, its version and the question (a
 * step, the summary, or a yes/no pending on a step). A tap counts only while this is unchanged.
 */
export function questionKey(form: FormDef, state: EngineState): string {
  const q = state.pending ? `${state.current}~${state.pending.type}` : state.current;
  return `${form.id}:${form.version}:${q}`;
}

/** The reply with the card key of the question it asks, and multi-select where the step is. */
function keyed(form: FormDef, state: EngineState, reply: Reply): Reply {
  const step = state.pending || state.current === CONFIRM ? undefined : stepByKey(form, state.current);
  return { ...reply, card: { ...reply.card, key: questionKey(form, state), ...(step?.kind === 'multi' ? { multi: true } : {}) } };
}

async function applyInput(form: FormDef, prev: EngineState, text: string, env: FormEnv): Promise<EngineResult> {
  const state = clone(prev);
  const done = (reply: Reply, outcome: Outcome = 'continue', newSigns: string[] = []): EngineResult => ({
    state,
    reply: withSigns(form, reply, newSigns),
    outcome,
    newSigns,
  });
  const command = parseCommand(text);
  const texts = textsOf(form);

  if (state.pending) {
    const yes = parseYesNo(text);
    const pending = state.pending;
    if (pending.type === 'cancel') {
      if (yes === true) return done({ text: texts.cancelled(state.answers) }, 'cancelled');
      if (yes === false) {
        delete state.pending;
        return done({ ...promptOf(form, state, env), text: `好的，继续填写。\n${promptOf(form, state, env).text}` });
      }
      return done({ text: texts.cancelQuestion });
    }
    if (pending.type === 'conflict') {
      if (yes === true) {
        delete state.pending;
        return accept(form, state, pending.key, pending.value, '', env, pending.patch ?? {});
      }
      if (yes === false) {
        delete state.pending;
        const step = stepByKey(form, pending.key)!;
        return done(errorReply(step, '好的，保留原来的信息，请重新核对后输入', form, state, env));
      }
      if (!command) return done({ text: `${pending.question}\n请回复「是」或「否」。` });
      delete state.pending;
    }
    if (pending.type === 'duplicate') {
      if (yes === true) {
        delete state.pending;
        state.duplicateAcknowledged = true;
        if (pending.early) {
          const p = promptOf(form, state, env);
          return done({ ...p, text: `好的，继续新建。\n${p.text}` });
        }
        return done({ text: '' }, 'submit');
      }
      if (yes === false) return done({ text: `已放弃新建，草稿已删除。已有个案：${pending.codes.join('、')}，可联系其帮扶责任人补充情况。` }, 'cancelled');
      if (!command) return done({ text: duplicateQuestion(pending.codes) });
      delete state.pending;
    }
  }

  if (command) {
    switch (command.type) {
      case 'cancel':
        if (form.cancelAtOnce) return done({ text: texts.cancelled(state.answers) }, 'cancelled');
        state.pending = { type: 'cancel' };
        return done({ text: texts.cancelQuestion });
      case 'resume':
      case 'help': {
        const help = command.type === 'help' ? `${texts.help}\n` : '';
        const p = promptOf(form, state, env);
        return done({ ...p, text: help + p.text });
      }
      case 'view': {
        const p = promptOf(form, state, env);
        return done({ ...p, text: `${summary(form, state, env, false).text}\n\n${p.text}` });
      }
      case 'back': {
        const last = state.history.pop();
        if (!last) return done({ ...promptOf(form, state, env), text: `已经是第一个问题了。\n${promptOf(form, state, env).text}` });
        delete state.answers[last];
        recomputeDerived(form, state, env);
        state.current = last;
        return done(promptOf(form, state, env));
      }
      case 'skip': {
        if (state.current === CONFIRM) return done({ text: `没有可以跳过的问题了。\n${summary(form, state, env, true).text}` });
        const step = stepByKey(form, state.current)!;
        if (step.required) return done({ ...promptOf(form, state, env), text: `${texts.cannotSkip(step.label)}\n${promptOf(form, state, env).text}` });
        // An optional field skipped is simply not filled; any other is recorded as still to complete.
        return isOptional(step, state.answers) ? accept(form, state, step.key, null, '', env) : unknownAnswer(form, state, step, env);
      }
      case 'edit': {
        if (!command.field) {
          const names = form.steps.filter((s) => applies(s, state.answers)).map((s) => s.label);
          return done({ text: `要修改哪一项？请回复「修改 字段名」，可改：${names.join('、')}。` });
        }
        const step = findEditStep(form, command.field, state.answers, env);
        if (!step || step === 'ambiguous') {
          const names = form.steps.filter((s) => applies(s, state.answers)).map((s) => s.label);
          return done({ text: `没有找到「${command.field}」这一项。可改：${names.join('、')}。` });
        }
        state.current = step.key;
        return done(promptOf(form, state, env));
      }
    }
  }

  if (state.current === CONFIRM) {
    const yes = parseYesNo(text) ?? (/^(保存|提交|确认保存|确认无误)$/.test(stripEdgePunctuation(normalizeInput(text))) ? true : undefined);
    if (yes === true) {
      const codes = state.duplicateAcknowledged ? [] : (await env.findDuplicates?.(state.answers) ?? []);
      if (codes.length) {
        state.pending = { type: 'duplicate', codes };
        return done({ text: `发现可能重复的个案：${codes.join('、')}（身份证号相同，或姓名、出生日期和户籍村都相同）。仍要新建一个吗？请回复「是」或「否」。` });
      }
      return done({ text: '' }, 'submit');
    }
    const s = summary(form, state, env, true);
    return done({ text: `${yes === false ? '好的，暂不保存。' : '请回复「确认」保存，或「修改 字段名」更改。'}\n${s.text}` });
  }

  const step = stepByKey(form, state.current)!;
  const correction = form.corrections === false ? undefined : await findCorrection(form, state, text, env);
  if (correction) {
    const fixed = stepByKey(form, correction.key)!;
    const keep = state.current;
    const r = await accept(form, state, correction.key, correction.value, text, env);
    if (r.state.pending) return r;
    r.state.current = keep in r.state.answers ? nextKey(form, r.state.answers) : keep;
    const p = promptOf(form, r.state, env);
    return { ...r, reply: { ...p, text: `已更正「${fixed.label}」：${displayValue(fixed, r.state.answers[fixed.key], env)}。\n${p.text}` } };
  }
  // A plain plan question (「对了 留守儿童是哪个单位牵头来着」) is never read as an answer.
  const plainAside = env.answerAside?.(text, state.answers, { strict: true });
  if (plainAside) {
    const p = promptOf(form, state, env);
    return done({ ...p, text: `${plainAside}\n\n${texts.resumeMark}\n${p.text}` });
  }
  const free = step.kind === 'text' || step.kind === 'name' || step.kind === 'date' || step.kind === 'mobile';
  if (free && !step.readsUnknown && !step.required && saysUnknown(text)) return unknownAnswer(form, state, step, env);
  const partial = state.partial?.[step.key];
  const parsed = await parseFor(step, text, state.answers, env, partial);
  if (parsed.ok === 'end') return done({ text: parsed.reply }, 'cancelled');
  if (parsed.ok === 'unknown') {
    if (!step.required) return unknownAnswer(form, state, step, env);
  } else if (parsed.ok === 'partial') {
    state.partial = { ...state.partial, [step.key]: parsed.value };
    return done({ text: parsed.ask });
  } else if (parsed.ok) {
    const checked = schemaOf(step, env).safeParse(parsed.value);
    if (checked.success) return accept(form, state, step.key, checked.data, text, env, undefined, parsed.note !== undefined);
    return failed(form, state, step, checked.error.issues[0]?.message ?? '格式不对', text, env);
  } else if (parsed.whole) {
    return failed(form, state, step, parsed.error, text, env, true);
  }
  if (!step.readsUnknown && !step.required && saysUnknown(text)) return unknownAnswer(form, state, step, env);
  // A plan question typed mid-form is answered, and the form question asked again under it.
  const aside = env.answerAside?.(text, state.answers);
  if (aside) {
    const p = promptOf(form, state, env);
    return done({ ...p, text: `${aside}\n\n${texts.resumeMark}\n${p.text}` });
  }
  return failed(form, state, step, parsed.ok === 'unknown' ? '这一项需要先选定' : parsed.error, text, env);
}

/**
 * A failed answer. The first shows why and an example; the second lists every option by number
 * with a way out; the third is never refused: the field is recorded as unknown and the form
 * moves on (a required field shows its numbered options again).
 */
async function failed(form: FormDef, state: EngineState, step: StepDef, reason: string, text: string, env: FormEnv, whole = false): Promise<EngineResult> {
  state.failures = { ...state.failures, [step.key]: (state.failures?.[step.key] ?? 0) + 1 };
  const n = state.failures[step.key]!;
  if (n >= 3 && !step.required) {
    const r = await unknownAnswer(form, state, step, env);
    return { ...r, reply: { ...r.reply, text: `这一项先记为「${UNKNOWN_TEXT}」，您的原话没有保存，之后可回复「修改 ${step.label}」补上。\n${r.reply.text}` } };
  }
  void text;
  return { state, reply: errorReply(step, reason, form, state, env, whole), outcome: 'continue', newSigns: [] };
}

/** What an answer also says about later questions (FormDef.fillsInPassing), shown for checking. */
function fillInPassing(form: FormDef, state: EngineState, key: string, text: string, env: FormEnv): void {
  if (!form.prefill || !form.fillsInPassing?.length || !text.trim()) return;
  const at = form.steps.findIndex((s) => s.key === key);
  const { answers } = form.prefill(text, env);
  for (const k of form.fillsInPassing) {
    if (k in state.answers || !(k in answers)) continue;
    const i = form.steps.findIndex((s) => s.key === k);
    const step = form.steps[i];
    if (!step || i <= at || !schemaOf(step, env).safeParse(answers[k]).success) continue;
    state.answers[k] = answers[k];
    if (!state.prefilled.includes(k)) state.prefilled.push(k);
  }
}

/** Records that the person does not know this field (or what the step puts in its place). */
async function unknownAnswer(form: FormDef, state: EngineState, step: StepDef, env: FormEnv): Promise<EngineResult> {
  const substitute = step.whenUnknown?.(state.answers, env);
  if (substitute !== undefined) {
    const r = await accept(form, state, step.key, substitute, '', env);
    return r;
  }
  const partial = state.partial?.[step.key];
  const r = await accept(form, state, step.key, partial ?? null, '', env);
  if (partial === undefined) markUnknown(r.state, step.key);
  else if (step.kind === 'contact') markUnknown(r.state, `${step.key}.mobile`);
  return r;
}

/** `patch` is given once the user confirmed a conflicting value: it is applied without asking again. */
async function accept(form: FormDef, state: EngineState, key: string, value: unknown, text: string, env: FormEnv, patch?: Answers, estimated = false): Promise<EngineResult> {
  const step = stepByKey(form, key)!;
  if (!patch && value !== null) {
    const conflict = form.conflict?.(key, value, state.answers, env, state.derived);
    if (conflict) {
      state.pending = { type: 'conflict', key, value, question: conflict.question, ...(conflict.patch ? { patch: conflict.patch } : {}) };
      return { state, reply: { text: `${conflict.question}\n请回复「是」（以新填写的为准）或「否」（保留原来的）。` }, outcome: 'continue', newSigns: [] };
    }
  }
  const before = { ...state.answers };
  const beforeDerived = { ...state.derived };
  state.answers[key] = value;
  if (patch) Object.assign(state.answers, patch);
  // A value answered by hand (or confirmed in a conflict) is no longer derived.
  for (const k of [key, ...Object.keys(patch ?? {})]) delete state.derived[k];
  recomputeDerived(form, state, env);
  const failure = form.check?.(state.answers, env);
  if (failure) {
    state.answers = before;
    state.derived = beforeDerived;
    state.current = key;
    return { state, reply: errorReply(step, failure.message, form, state, env), outcome: 'continue', newSigns: [] };
  }
  state.prefilled = state.prefilled.filter((k) => k !== key && !(patch && k in patch));
  clearMarks(state, key);
  if (estimated) (state.estimated ??= []).push(key);
  fillInPassing(form, state, key, text, env);
  if (state.history[state.history.length - 1] !== key) state.history.push(key);
  state.current = nextKey(form, state.answers);
  // Only free text is read for signs: a picked option such as 无人监护 is judged from the answers.
  const signs = detect(form, state, step.kind === 'text' || step.allowDetail ? text : '', env);
  const dup = await earlyDuplicate(state, env);
  if (submitsNow(form, state)) return { state, reply: { text: '' }, outcome: 'submit', newSigns: signs };
  return { state, reply: withSigns(form, dup ?? promptOf(form, state, env), signs), outcome: 'continue', newSigns: signs };
}

/**
 * Builds what the form's steps derive from the config (pick-lists, their matchers, schemas) ahead
 * of the first message: with thousands of cadres the mentor matcher takes a quarter of a second.
 */
export function warmForm(form: FormDef, env: FormEnv): void {
  for (const step of form.steps) {
    if (typeof step.options === 'function') matchChoices('', step.options(env));
    if (typeof step.schema === 'function') step.schema(env);
  }
}

/** The reply that re-asks the current question, e.g. after 「继续」 resumes a paused form. */
export function currentPrompt(form: FormDef, prev: EngineState, env: FormEnv): Reply {
  const state = clone(prev);
  migrateState(form, state);
  return keyed(form, state, promptNow(form, state, env));
}

function promptNow(form: FormDef, state: EngineState, env: FormEnv): Reply {
  if (state.pending?.type === 'cancel') return { text: textsOf(form).cancelQuestion };
  if (state.pending?.type === 'conflict') return { text: `${state.pending.question}\n请回复「是」或「否」。` };
  if (state.pending?.type === 'duplicate') return { text: duplicateQuestion(state.pending.codes) };
  return promptOf(form, state, env);
}
