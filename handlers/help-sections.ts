import { QA_CAPABILITIES } from '../src/domain/qa/capabilities.js';
import type { HandlerContext } from '../src/core/context.js';

/**
 * The help menu, one section per feature. A feature adds its entry here (with `visible` when only
 * some people may use it); the help handler and the welcome message render whatever is listed.
 */
export interface HelpSection {
  title: string;
  lines: readonly string[];
  /** Shown only when this returns true (e.g. intake is for configured members). Default: always. */
  visible?: (ctx: HandlerContext) => boolean;
}

export const HELP_SECTIONS: HelpSection[] = [
  {
    title: '问实施方案（直接提问即可）',
    lines: QA_CAPABILITIES.map((c) => `${c.what}：「${c.example}」`),
  },
  {
    title: '登记个案（工作人员）',
    lines: [
      '直接说要登记哪个孩子即可，群里私聊都行：「我们村有个留守娃要登记，叫李小花，女的，爸妈都去江苏打工了，爷爷带着」或「报个案」',
      '一条消息里说了的（类别、姓名、村、年龄、监护人、电话）会自动填好，只问还缺的；群里发起的会转到私聊继续，群里不显示孩子信息',
      '不知道的回复「不知道」或「稍后补充」，先记为待补充；只知道大概年龄也行（「看着十一二岁」）',
      '帮扶责任人默认是登记人，保存前可回复「修改 帮扶责任人」；风险等级不在登记时问，首次走访时写上（「走访 DJ-2026-0001 上门 情况稳定 风险低」）',
      '填写中可回复「上一步」「跳过」「修改 字段名」「查看」「取消」；中途问方案的问题也会回答',
    ],
    visible: (ctx) => ctx.member !== undefined,
  },
  {
    title: '个案跟进（工作人员）',
    lines: [
      '记录走访：「走访 DJ-2026-0001 电话联系，情况稳定」（可加日期：昨天、11月3日、3号；可加「风险高」调整风险等级）',
      '查看自己帮扶的个案和本月是否已联系：「我的个案」',
      '逾期未联系的个案（管理员、牵头单位）：「逾期」',
      '结案：「结案 DJ-2026-0001 已入学」（管理员、牵头单位，需确认）',
      // No phone in the example: 帮助 is shown in groups, whose filter masks a number a case holds.
      '补充登记时不知道的信息（我的个案里标为待补充的）：私聊发「补充 DJ-2026-0001」，只问还缺的；也可一次写上「补充 DJ-2026-0001 父母务工地 江苏苏州」',
      '更换帮扶责任人：「更换帮扶人 DJ-2026-0001 王五」',
      '每月风险隐患排查上报：「排查上报 本月无新增风险」或「排查上报 新增2 高风险1」',
      '每个在册个案每月至少联系一次；每月20日提醒未联系的个案，次月1日通报逾期。',
    ],
    visible: (ctx) => ctx.member !== undefined,
  },
];
