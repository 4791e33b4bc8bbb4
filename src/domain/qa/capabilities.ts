/**
 * What the Q&A can answer, with one example each. Shown after 「实施方案中没有相关规定」 and in
 * the help menu, so both stay in step with what `answerQuestion` handles.
 */
export const QA_CAPABILITIES: readonly { what: string; example: string }[] = [
  { what: '描述孩子的情况，判断是哪类重点青少年、由谁牵头', example: '娃12岁 爹妈都在外地打工 跟着奶奶 这算啥' },
  { what: '某类重点青少年的牵头单位、责任单位', example: '流浪乞讨未成年人由哪个单位牵头？' },
  { what: '某类重点青少年的工作任务', example: '留守儿童要做哪些工作？' },
  { what: '某个单位的全部职责（含条款号）', example: '民政所要干什么？' },
  { what: '某项具体工作由谁承担', example: '回归安置谁负责？' },
  { what: '某单位在某类工作中有没有任务', example: '城建所在留守儿童工作里有任务吗？' },
  { what: '各类人员的定义、包括哪些人、年龄界限', example: '什么是闲散青少年？' },
  { what: '工作频次（接触、排查调度、进展调度）', example: '闲散青少年多久联系一次？' },
  { what: '总牵头单位、工作对象、工作目标、工作要求', example: '督导检查怎么开展？' },
  { what: '牵头与责任单位的分工、各村和镇直单位的要求、方案的印发日期和发文单位', example: '牵头单位和责任单位有什么区别？' },
];

export function capabilityLines(): string[] {
  return QA_CAPABILITIES.map((c) => `· ${c.what}，例如「${c.example}」`);
}
