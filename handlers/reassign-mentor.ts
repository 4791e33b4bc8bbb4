import { mayManage } from '../src/domain/followup/access.js';
import { stripEdgePunctuation } from '../src/domain/parse-zh/normalize.js';
import { matchTerm } from '../src/domain/text/match.js';
import { caseCommand, MANAGERS, privateCaseName, refuseCase, tell } from './followup-shared.js';
import type { Handler } from '../src/core/context.js';

const TRIGGER = /^(?:更换帮扶人|更换帮扶责任人|更改帮扶人|调整帮扶人|换帮扶人)(?=$|[\s:：,，]|[A-Za-z])/;
export const NOT_ALLOWED_REASSIGN_TEXT = '只有管理员或该个案牵头单位的成员可以更换帮扶责任人。';

/**
 * 「更换帮扶人 DJ-2026-0001 王五」: gives the case to another configured member (name matched
 * loosely), and tells the new and the old mentor privately.
 */
export const reassignMentorHandler: Handler = {
  name: 'reassign-mentor',
  handle(ctx) {
    const cmd = caseCommand(ctx, TRIGGER);
    if (cmd === null || Array.isArray(cmd)) return cmd;
    const { found, member } = cmd;
    if (!found) return [{ text: '请写明个案编号和新的帮扶责任人，例如「更换帮扶人 DJ-2026-0001 王五」。' }];
    const c = ctx.store.cases.getByCode(found.code);
    if (!c || !mayManage(c, ctx.member)) return refuseCase(ctx, found.code, '更换帮扶人', Boolean(c), MANAGERS);
    if (c.status === 'closed') return [{ text: `个案 ${c.code} 已结案，无需更换帮扶人。` }];
    const name = stripEdgePunctuation(found.rest.replace(/^(?:为|成|给|改为|换成)/, ''));
    if (!name) return [{ text: `请写明新的帮扶责任人姓名，例如「更换帮扶人 ${c.code} 王五」。` }];
    const names = ctx.config.members.map((x) => x.name);
    const picked = matchTerm(name, names);
    const matches = picked ? ctx.config.members.filter((x) => x.name === picked) : [];
    if (matches.length !== 1) {
      // Never repeat the typed name in a group: it may be the child's.
      const echo = ctx.msg.chatType === 'group' ? '这位工作人员' : `「${name}」`;
      return [{ text: `工作人员名单中没有找到唯一的${echo}。可选：${names.join('、')}。` }];
    }
    const to = matches[0]!;
    if (to.userid === c.mentorUserId) return [{ text: `${to.name} 已经是个案 ${c.code} 的帮扶责任人。` }];
    const now = ctx.clock.now();
    const old = c.mentorUserId;
    ctx.store.followup.reassign(c.id, to.userid, to.name, now);
    ctx.store.audit.append({ at: now, actor: ctx.msg.userId, action: 'change', caseCode: c.code, detail: 'mentor' });
    const by = member.name;
    const stamp = now.toISOString();
    if (to.userid !== ctx.msg.userId) {
      tell(ctx, to.userid, `${by} 将个案 ${privateCaseName(c)}交由您帮扶，请每月至少联系一次，联系后发「走访 ${c.code} 方式 情况」记录。`, 'case.reassigned', `case.reassigned:${c.code}:${to.userid}:${stamp}`);
    }
    if (old && old !== ctx.msg.userId) {
      tell(ctx, old, `${by} 已将个案 ${c.code} 改由 ${to.name} 帮扶，您不再负责该个案，谢谢您的付出。`, 'case.reassigned', `case.reassigned:${c.code}:${old}:${stamp}`);
    }
    return [{ text: `个案 ${c.code} 的帮扶责任人已改为 ${to.name}，已私信通知相关人员。` }];
  },
};
