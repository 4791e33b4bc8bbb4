import type { Reply } from '../src/domain/model/message.js';
import { caseForm, warmCaseForm } from '../src/domain/intake/case-form.js';
import { INTAKE_TRIGGER } from '../src/domain/intake/case-prefill.js';
import { currentPrompt, handleInput, parseCommand, startForm, textsOf, type EngineResult, type EngineState } from '../src/domain/intake/engine.js';
import type { FormEnv } from '../src/domain/intake/form.js';
import { REPORT_TO } from '../src/domain/intake/mandatory-report.js';
import { DROPPED_TEXT, PAUSED_TEXT, sessionTiming } from '../src/domain/intake/session-policy.js';
import { submitCase } from '../src/domain/intake/submit.js';
import { visibleDuplicates } from '../src/domain/security/duplicate-notice.js';
import { normalizeInput, stripEdgePunctuation } from '../src/domain/parse-zh/normalize.js';
import type { FormSessionRecord } from '../src/domain/model/records.js';
import type { AppDeps, Handler, HandlerContext } from '../src/core/context.js';
import { rememberOutcome } from './repeated-confirm.js';
import { dialogHandler, NEEDS_DIALOG, type DialogKind } from '../src/core/dialogs.js';
import { planAside } from './form-aside.js';

export const NOT_ENABLED_TEXT = '个案功能仅对已开通的工作人员开放，请联系镇团委管理员开通。';
export const MOVED_TO_PRIVATE_TEXT = '已收到，请在与我的私聊中继续登记。';
const OPEN_ELSEWHERE_TEXT = '您在私聊中还有一份未完成的个案登记，请到与我的私聊中继续，或在私聊中回复「取消」放弃。';
const ALREADY_OPEN_TEXT = '您有一份未完成的个案登记。回复「继续」接着填写，或回复「取消」放弃后再新建。';

/** A verb of registering a child: 登记, 登个记, 录入, 上报, 报个案, 建档 … */
const REGISTER = /登记|登个记|登一下|要登|给登|登上|录入|录一个|录个|上报|报个案|报案|建档|建个档|新增个案|新建个案|新个案/;
/** A question about who does what, where 登记 is the topic rather than the wish: 「登记由谁负责」. */
// Asking which unit (「…是哪个单位的事」「归哪个部门」) is asking about duty wherever the words stand.
const ASKS_ABOUT_DUTY = /(?:谁|哪个单位|哪些单位|什么单位|哪家)(?:来)?(?:负责|牵头|管|登记)|(?:哪个|哪些|什么|哪家|哪一个)(?:单位|部门)|归谁|谁的事|牵头单位|责任单位|职责|多久|几次|要求/;
const WANTS = /我|俺|咱|想|要|需要|帮我|让我|给|请|能不能|可以|不|一下|一个|一名|个/;

/**
 * Whether a message means 「I want to register a child」, wherever the verb stands: 「我们村有个
 * 留守娃要登记一下…」「报个案」「录一个判缓刑的…」. A plan question that only mentions 登记
 * (「留守儿童登记由谁负责」) stays a question.
 */
export function isIntakeTrigger(text: string): boolean {
  const s = normalizeInput(text);
  if (INTAKE_TRIGGER.test(s)) return true;
  // Starting with the verb is a command: 「登记流浪 男孩 12岁左右…」「录入 戴鹏 男…」.
  if (new RegExp(`^(?:${REGISTER.source})`).test(s)) return true;
  // No verb, but a child described with an ID number or a name: 「俺村有个留守娃 叫王小燕 身份证…」.
  if (/有(?:个|一个|一名|名)/.test(s) && /(?<!\d)\d{17}[\dXx](?!\d)/.test(s) && !LOOKS_LIKE_PLAN_QUESTION.test(s)) return true;
  if (!REGISTER.test(s)) return false;
  if (/(?:不好|不用|(?<!要)不要|别|不必|不想|没法|(?<!能)不能)(?:再)?(?:登记|登|录入|上报)/.test(s)) return false;
  if (ASKS_ABOUT_DUTY.test(s) && !/我|俺|咱/.test(s)) return false;
  return WANTS.test(s);
}

const LOOKS_LIKE_PLAN_QUESTION = /牵头|责任单位|职责|哪个单位|谁负责/;

const command = (text: string) => stripEdgePunctuation(normalizeInput(text));
const RESUME_WORDS = /^(?:继续|继续登记|你好|您好|在吗|hi|hello)$/i;

function envFor(ctx: HandlerContext, now: Date): FormEnv {
  return {
    now,
    villages: ctx.config.villages,
    members: ctx.config.members,
    plan: ctx.plan,
    findDuplicates: (a) => visibleDuplicates({ store: ctx.store, lookup: ctx.lookup, plan: ctx.plan, member: ctx.member, actor: ctx.msg.userId, now }, a),
    ...(ctx.member ? { reporter: ctx.member } : {}),
    answerAside: planAside(ctx),
  };
}

/**
 * The pending question of this user's draft in this chat, for a greeting or for opening the
 * private chat after a group start; undefined when there is no draft.
 */
export async function pendingIntakePrompt(ctx: HandlerContext): Promise<Reply | undefined> {
  const session = await ctx.store.sessions.get(ctx.msg.userId, ctx.msg.chatId);
  if (!session || session.formId !== caseForm.id) return undefined;
  const now = ctx.clock.now();
  if (sessionTiming(session.lastActiveAt, now) === 'expired') return undefined;
  const p = currentPrompt(caseForm, session.state as EngineState, envFor(ctx, now));
  return { ...p, text: `您有一份未完成的个案登记，接着填写：\n${p.text}\n（回复「取消」可放弃这份登记。）` };
}

/** Prepares intake's matchers for this config at start-up rather than on some cadre's first answer. */
export function warmIntake(deps: AppDeps): void {
  warmCaseForm({ now: deps.clock.now(), villages: deps.config.villages, members: deps.config.members, plan: deps.plan });
}

/** Records that the bot told this user to report to the police; the ids go with the draft. */
async function recordSigns(ctx: HandlerContext, result: EngineResult, chatId: string, now: Date): Promise<void> {
  for (const sign of result.newSigns) {
    const id = await ctx.store.cases.recordMandatoryReport({ caseId: null, userId: ctx.msg.userId, chatId, sign, reportTo: REPORT_TO, promptedAt: now });
    result.state.reportIds.push(id);
  }
}

async function save(ctx: HandlerContext, chatId: string, startedIn: string, state: EngineState, now: Date, createdAt = now): Promise<void> {
  // One session row per (user, chat): a registration replaces a half-done 走访 or 结案 there.
  await ctx.store.sessions.save({ userId: ctx.msg.userId, chatId, formId: caseForm.id, status: 'active', state, startedIn, createdAt, lastActiveAt: now });
}

async function start(ctx: HandlerContext, now: Date): Promise<Reply[]> {
  const { msg, store } = ctx;
  if (!ctx.member) return [{ text: NOT_ENABLED_TEXT }];
  const env = envFor(ctx, now);
  if (msg.chatType === 'group') {
    // The form continues privately; nothing about the child is said in the group.
    if ((await store.sessions.get(msg.userId, msg.userId))?.formId === caseForm.id) return [{ text: OPEN_ELSEWHERE_TEXT }];
    const result = await startForm(caseForm, env, msg.text);
    await recordSigns(ctx, result, msg.userId, now);
    await save(ctx, msg.userId, msg.chatId, result.state, now);
    await store.outbox.enqueue({ target: { kind: 'user', id: msg.userId }, reply: result.reply, reason: 'intake.moved-to-private' }, now);
    return [{ text: MOVED_TO_PRIVATE_TEXT }];
  }
  const result = await startForm(caseForm, env, msg.text);
  await recordSigns(ctx, result, msg.chatId, now);
  await save(ctx, msg.chatId, msg.chatId, result.state, now);
  return [result.reply];
}

async function proceed(ctx: HandlerContext, session: FormSessionRecord, now: Date): Promise<Reply[] | null> {
  const { msg, store } = ctx;
  const state = session.state as EngineState;
  const env = envFor(ctx, now);
  const timing = sessionTiming(session.lastActiveAt, now);
  if (timing === 'expired') {
    await store.sessions.delete(session.userId, session.chatId);
    if (isIntakeTrigger(msg.text)) return [{ text: DROPPED_TEXT }, ...await start(ctx, now)];
    return [{ text: DROPPED_TEXT }];
  }
  if (msg.kind !== 'text' && msg.kind !== 'button') return null;
  const cmd = RESUME_WORDS.test(command(msg.text)) ? '继续' : command(msg.text);
  // A tap on a card names the question it answers (the engine checks it is still the one asked),
  // so unlike a stray message after a long pause it cannot be mistaken for an answer.
  const tapped = msg.kind === 'button' && msg.cardKey !== undefined;
  if (!tapped && session.status === 'active' && timing === 'idle' && cmd !== '继续' && cmd !== '取消') {
    await store.sessions.save({ ...session, status: 'paused' });
    return [{ text: PAUSED_TEXT }];
  }
  if (!tapped && (session.status === 'paused' || timing === 'idle')) {
    if (cmd === '继续') {
      await save(ctx, session.chatId, session.startedIn, state, now, session.createdAt);
      const p = currentPrompt(caseForm, state, env);
      return [{ ...p, text: `继续登记。\n${p.text}` }];
    }
    if (cmd !== '取消') {
      // While paused the user may ask other things; only a new intake is pointed back here.
      return isIntakeTrigger(msg.text) ? [{ text: ALREADY_OPEN_TEXT }] : null;
    }
  }
  if (isIntakeTrigger(msg.text) && !parseCommand(msg.text)) return [{ text: ALREADY_OPEN_TEXT }];
  const result = await handleInput(caseForm, state, msg.text, env, msg.cardKey !== undefined ? { cardKey: msg.cardKey } : {});
  await recordSigns(ctx, result, session.chatId, now);
  if (result.outcome === 'cancelled') {
    await store.sessions.delete(session.userId, session.chatId);
    return [result.reply];
  }
  if (result.outcome === 'submit') {
    if (!ctx.member) {
      await store.sessions.delete(session.userId, session.chatId);
      return [{ text: NOT_ENABLED_TEXT }];
    }
    const { reply } = await submitCase({ store, lookup: ctx.lookup, config: ctx.config, plan: ctx.plan, now, reporterUserId: msg.userId, state: result.state, env });
    await store.sessions.delete(session.userId, session.chatId);
    // Should 「已保存」 be lost on its way, a 「确认」 typed again gets it again (repeated-confirm).
    await rememberOutcome(ctx, 'intake.saved', reply, now);
    return [reply];
  }
  await save(ctx, session.chatId, session.startedIn, result.state, now, session.createdAt);
  return [result.reply];
}

/**
 * Guided intake of a new case, as one kind of dialog (src/core/dialogs.ts). Starts on any wish to
 * register a child, then takes every message of that user in that chat until the form is saved
 * or cancelled; a registration holds many answers, so another dialog asked for meanwhile does
 * not replace it. Forms are keyed by (user, chat): two cadres never share one.
 */
export const intakeDialog: DialogKind = {
  formId: caseForm.id,
  title: '个案登记',
  resumeMark: textsOf(caseForm).resumeMark,
  action: '登记个案',
  keepsAgainstNew: true,
  starts: (ctx) => (ctx.msg.kind === 'text' || ctx.msg.kind === 'button') && isIntakeTrigger(ctx.msg.text),
  start: async (ctx, { once }) => (once ? NEEDS_DIALOG : start(ctx, ctx.clock.now())),
  // Its own timing (pause after 30 minutes, drop after 7 days) is applied with a notice in proceed.
  alive: async () => true,
  answer: (ctx, session) => proceed(ctx, session, ctx.clock.now()),
  async pending(ctx, session) {
    const now = ctx.clock.now();
    if (session.status === 'paused' || sessionTiming(session.lastActiveAt, now) !== 'fresh') return undefined;
    return currentPrompt(caseForm, session.state as EngineState, envFor(ctx, now));
  },
};

/** Intake alone, for a router without the follow-up dialogs. */
export const intakeHandler: Handler = dialogHandler([intakeDialog], []);
