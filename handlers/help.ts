import { normalizeText } from '../src/domain/text/normalize.js';
import { HELP_SECTIONS, type HelpSection } from './help-sections.js';
import type { Handler, HandlerContext } from '../src/core/context.js';

/**
 * 帮助 / 菜单 / 你能做什么: the feature list. Only a message that is nothing but such a request
 * counts — 「帮助留守儿童的任务」 is a question for Q&A.
 */
const ASKS_FOR_HELP = new Set(
  [
    '帮助', 'help', '菜单', '功能', '功能列表', '使用说明', '说明', '怎么用', '如何使用', '用法',
    '你能做什么', '你能干什么', '你会什么', '你会做什么', '你可以做什么', '你都能做什么', '能做什么', '有什么功能', '你是谁',
  ].map(normalizeText),
);
const FILLER = /^(请问|请|麻烦)|(一下|吗|呢|啊|呀|吧)+$/g;

export function isHelpRequest(text: string): boolean {
  const t = normalizeText(text);
  return t.length > 0 && (ASKS_FOR_HELP.has(t) || ASKS_FOR_HELP.has(t.replace(FILLER, '')));
}

export function helpText(ctx: HandlerContext, sections: readonly HelpSection[] = HELP_SECTIONS): string {
  const shown = sections.filter((s) => s.visible?.(ctx) ?? true);
  const parts = shown.map((s) => [`【${s.title}】`, ...s.lines.map((l) => `· ${l}`)].join('\n'));
  return [...parts, '发送「帮助」可随时查看本菜单。'].join('\n\n');
}

export const helpHandler: Handler = {
  name: 'help',
  handle(ctx) {
    if (ctx.msg.kind !== 'text' && ctx.msg.kind !== 'button') return null;
    if (!isHelpRequest(ctx.msg.text)) return null;
    return [{ text: `我是${ctx.config.town}护苗助手，可以：\n\n${helpText(ctx)}` }];
  },
};
