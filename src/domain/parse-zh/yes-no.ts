import { normalizeInput, stripEdgePunctuation } from './normalize.js';

const YES = new Set([
  '是', '是的', '对', '对的', '有', '有的', '嗯', '嗯嗯', '恩', '好', '好的', '确认', '确定', '可以', '行',
  '没错', '没问题', '同意', '要', 'y', 'yes', 'ok', '1',
]);
const NO = new Set([
  '否', '不是', '没有', '没', '无', '不', '不对', '不要', '不用', '算了', '不同意', '不行', '不确认', '没有的',
  'n', 'no', '0',
]);

/** 是/对/有/嗯/好/确认 → true; 否/不是/没有/无/不 → false; anything else → undefined. */
export function parseYesNo(input: string): boolean | undefined {
  const s = stripEdgePunctuation(normalizeInput(input).toLowerCase()).replace(/[啊呀吧哈哦噢呢]+$/, '');
  if (NO.has(s)) return false;
  if (YES.has(s)) return true;
  return undefined;
}
