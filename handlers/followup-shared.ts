import type { Member } from '../src/config/schema.js';
import type { Reply } from '../src/domain/model/message.js';
import { inUnit } from '../src/domain/followup/access.js';
import { maskName } from '../src/domain/privacy/mask.js';
import { normalizeInput, stripEdgePunctuation } from '../src/domain/parse-zh/normalize.js';
import type { CaseRecord } from '../src/domain/model/records.js';
import { findCaseCode } from '../src/domain/followup/contact-message.js';
import type { HandlerContext } from '../src/core/context.js';

/** Shared pieces of the follow-up handlers (contact log, my cases, overdue, close, reassign). */

export const NOT_MEMBER_TEXT = '个案跟进功能仅对已开通的工作人员开放，请联系镇团委管理员开通。';
/** A follow-up dialog left alone this long is dropped, and the message goes to other handlers. */
export const DIALOG_IDLE_MS = 30 * 60_000;

export const command = (text: string) => stripEdgePunctuation(normalizeInput(text));

export const isText = (ctx: HandlerContext) => ctx.msg.kind === 'text' || ctx.msg.kind === 'button';

export function unknownCaseText(code: string): string {
  return `没有找到个案 ${code}，请核对编号（形如 DJ-2026-0001）。`;
}

/** Who may close a case or change its mentor. */
export const MANAGERS = '管理员和该个案牵头单位的成员';

/**
 * The one answer for a code that does not exist and a case the person may not act on, so codes
 * cannot be probed; the attempt is audited either way (docs/domain-rules.md P6).
 */
export async function refuseCase(ctx: HandlerContext, code: string, what: string, exists: boolean, who = '帮扶责任人、牵头单位成员和管理员'): Promise<Reply[]> {
  await ctx.store.audit.append({ at: ctx.clock.now(), actor: ctx.msg.userId, action: 'denied', caseCode: code, detail: `${what}: ${exists ? 'not allowed' : 'not found'}` });
  return [{ text: `没有找到您可以${what}的个案 ${code}。请核对编号（形如 DJ-2026-0001）；只有${who}可以${what}。` }];
}

/** The people a case change concerns: its mentor and the members of its lead units, minus the actor. */
export function concerned(ctx: HandlerContext, c: CaseRecord, extra: ReadonlyArray<string | null> = []): Member[] {
  const units = new Set(c.categories.flatMap((k) => k.leadUnits));
  const ids = new Set([c.mentorUserId, ...extra].filter((x): x is string => Boolean(x)));
  return ctx.config.members.filter((m) => m.userid !== ctx.msg.userId && (ids.has(m.userid) || [...units].some((u) => inUnit(m, u))));
}

export async function tell(ctx: HandlerContext, userId: string, text: string, reason: string, dedupeKey: string): Promise<void> {
  await ctx.store.outbox.enqueue({ target: { kind: 'user', id: userId }, reply: { text }, reason, dedupeKey }, ctx.clock.now());
}

/** The case as named in a private chat: code, masked name, village. */
/**
 * The common opening of the 「命令 DJ-2026-0001 …」 handlers: null when the message is not this
 * command; a reply when the sender may not use case functions or the code is missing; else the
 * command's text after the trigger (`rest`) and the code found in it, if any.
 */
export async function caseCommand(
  ctx: HandlerContext,
  trigger: RegExp,
): Promise<{ member: Member; rest: string; found: { code: string; rest: string } | undefined } | Reply[] | null> {
  if (!isText(ctx)) return null;
  const text = normalizeInput(ctx.msg.text);
  const m = trigger.exec(text);
  if (!m) return null;
  const rest = text.slice(m[0].length);
  if (!ctx.member) {
    // Refused attempts by people not in the config are on record too.
    await ctx.store.audit.append({ at: ctx.clock.now(), actor: ctx.msg.userId, action: 'denied', caseCode: findCaseCode(rest)?.code ?? null, detail: `${m[0]}: not a member` });
    return [{ text: NOT_MEMBER_TEXT }];
  }
  return { member: ctx.member, rest, found: findCaseCode(rest) };
}

export const privateCaseName = (c: CaseRecord) => `${c.code}（${maskName(c.fullName)}，${c.village}）`;

export const reply = (text: string, choices?: Reply['choices']): Reply[] => [choices ? { text, choices } : { text }];
