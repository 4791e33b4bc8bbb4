import type { Reply } from '../src/core/message.js';
import { caseForm, warmCaseForm } from '../src/domain/intake/case-form.js';
import { INTAKE_TRIGGER } from '../src/domain/intake/case-prefill.js';
import { currentPrompt, handleInput, startForm, type EngineResult, type EngineState } from '../src/domain/intake/engine.js';
import type { FormEnv } from '../src/domain/intake/form.js';
import { REPORT_TO } from '../src/domain/intake/mandatory-report.js';
import { DROP_AFTER_MS, DROPPED_TEXT, PAUSED_TEXT, sessionTiming } from '../src/domain/intake/session-policy.js';
import { submitCase } from '../src/domain/intake/submit.js';
import { visibleDuplicates } from '../src/domain/security/duplicate-notice.js';
import { normalizeInput, stripEdgePunctuation } from '../src/domain/parse-zh/normalize.js';
import type { FormSessionRecord } from '../store/store.js';
import type { AppDeps, Handler, HandlerContext } from './types.js';

export const NOT_ENABLED_TEXT = '个案功能仅对已开通的工作人员开放，请联系镇团委管理员开通。';
export const MOVED_TO_PRIVATE_TEXT = '已收到，请在与我的私聊中继续登记。';
const OPEN_ELSEWHERE_TEXT = '您在私聊中还有一份未完成的个案登记，请到与我的私聊中继续，或在私聊中回复「取消」放弃。';
const ALREADY_OPEN_TEXT = '您有一份未完成的个案登记。回复「继续」接着填写，或回复「取消」放弃后再新建。';

export function isIntakeTrigger(text: string): boolean {
  return INTAKE_TRIGGER.test(normalizeInput(text));
}

const command = (text: string) => stripEdgePunctuation(normalizeInput(text));

function envFor(ctx: HandlerContext, now: Date): FormEnv {
  return {
    now,
    villages: ctx.config.villages,
    members: ctx.config.members,
    plan: ctx.plan,
    findDuplicates: (a) => visibleDuplicates({ store: ctx.store, plan: ctx.plan, member: ctx.member, actor: ctx.msg.userId, now }, a),
  };
}

/** Prepares intake's matchers for this config at start-up rather than on some cadre's first answer. */
export function warmIntake(deps: AppDeps): void {
  warmCaseForm({ now: deps.clock.now(), villages: deps.config.villages, members: deps.config.members, plan: deps.plan });
}

/** Records that the bot told this user to report to the police; the ids go with the draft. */
function recordSigns(ctx: HandlerContext, result: EngineResult, chatId: string, now: Date): void {
  for (const sign of result.newSigns) {
    const id = ctx.store.cases.recordMandatoryReport({ caseId: null, userId: ctx.msg.userId, chatId, sign, reportTo: REPORT_TO, promptedAt: now });
    result.state.reportIds.push(id);
  }
}

function save(ctx: HandlerContext, chatId: string, startedIn: string, state: EngineState, now: Date, createdAt = now): void {
  ctx.store.sessions.save({ userId: ctx.msg.userId, chatId, formId: caseForm.id, status: 'active', state, startedIn, createdAt, lastActiveAt: now });
}

function start(ctx: HandlerContext, now: Date): Reply[] {
  const { msg, store } = ctx;
  if (!ctx.member) return [{ text: NOT_ENABLED_TEXT }];
  const env = envFor(ctx, now);
  if (msg.chatType === 'group') {
    // The form continues privately; nothing about the child is said in the group.
    if (store.sessions.get(msg.userId, msg.userId)) return [{ text: OPEN_ELSEWHERE_TEXT }];
    const result = startForm(caseForm, env, msg.text);
    recordSigns(ctx, result, msg.userId, now);
    save(ctx, msg.userId, msg.chatId, result.state, now);
    store.outbox.enqueue({ target: { kind: 'user', id: msg.userId }, reply: result.reply, reason: 'intake.moved-to-private' }, now);
    return [{ text: MOVED_TO_PRIVATE_TEXT }];
  }
  const result = startForm(caseForm, env, msg.text);
  recordSigns(ctx, result, msg.chatId, now);
  save(ctx, msg.chatId, msg.chatId, result.state, now);
  return [result.reply];
}

function proceed(ctx: HandlerContext, session: FormSessionRecord, now: Date): Reply[] | null {
  const { msg, store } = ctx;
  const state = session.state as EngineState;
  const env = envFor(ctx, now);
  const timing = sessionTiming(session.lastActiveAt, now);
  if (timing === 'expired') {
    store.sessions.delete(session.userId, session.chatId);
    if (isIntakeTrigger(msg.text)) return [{ text: DROPPED_TEXT }, ...start(ctx, now)];
    return [{ text: DROPPED_TEXT }];
  }
  if (msg.kind !== 'text' && msg.kind !== 'button') return null;
  const cmd = command(msg.text);
  if (session.status === 'active' && timing === 'idle' && cmd !== '继续' && cmd !== '取消') {
    store.sessions.save({ ...session, status: 'paused' });
    return [{ text: PAUSED_TEXT }];
  }
  if (session.status === 'paused' || timing === 'idle') {
    if (cmd === '继续') {
      save(ctx, session.chatId, session.startedIn, state, now, session.createdAt);
      const p = currentPrompt(caseForm, state, env);
      return [{ ...p, text: `继续登记。\n${p.text}` }];
    }
    if (cmd !== '取消') {
      // While paused the user may ask other things; only a new intake is pointed back here.
      return isIntakeTrigger(msg.text) ? [{ text: ALREADY_OPEN_TEXT }] : null;
    }
  }
  if (isIntakeTrigger(msg.text)) return [{ text: ALREADY_OPEN_TEXT }];
  const result = handleInput(caseForm, state, msg.text, env);
  recordSigns(ctx, result, session.chatId, now);
  if (result.outcome === 'cancelled') {
    store.sessions.delete(session.userId, session.chatId);
    return [result.reply];
  }
  if (result.outcome === 'submit') {
    if (!ctx.member) {
      store.sessions.delete(session.userId, session.chatId);
      return [{ text: NOT_ENABLED_TEXT }];
    }
    const { reply } = submitCase({ store, config: ctx.config, plan: ctx.plan, now, reporterUserId: msg.userId, state: result.state, env });
    store.sessions.delete(session.userId, session.chatId);
    return [reply];
  }
  save(ctx, session.chatId, session.startedIn, result.state, now, session.createdAt);
  return [result.reply];
}

/**
 * Guided intake of a new case. Starts on 新增个案/登记/上报个案 …, then takes every message of
 * that user in that private chat until the form is saved or cancelled, so it must come before
 * Q&A in the handler list. Forms are keyed by (user, chat): two cadres never share one.
 */
export const intakeHandler: Handler = {
  name: 'intake',
  handle(ctx) {
    const { msg, store, clock } = ctx;
    const now = clock.now();
    const session = store.sessions.get(msg.userId, msg.chatId);
    if (session) return proceed(ctx, session, now);
    if ((msg.kind === 'text' || msg.kind === 'button') && isIntakeTrigger(msg.text)) return start(ctx, now);
    return null;
  },
};

/**
 * Deletes drafts untouched for 7 days and tells each user privately. For a daily schedule;
 * the handler also drops such a draft when its user next writes.
 */
export function dropExpiredDrafts(store: HandlerContext['store'], now: Date): number {
  const cutoff = new Date(now.getTime() - DROP_AFTER_MS);
  const old = store.sessions.idleSince(cutoff);
  for (const s of old) {
    store.sessions.delete(s.userId, s.chatId);
    store.outbox.enqueue(
      { target: { kind: 'user', id: s.userId }, reply: { text: DROPPED_TEXT }, reason: 'intake.draft-dropped', dedupeKey: `intake.dropped:${s.userId}:${s.chatId}:${s.createdAt.toISOString()}` },
      now,
    );
  }
  return old.length;
}
