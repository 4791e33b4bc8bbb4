import type { Choice, Reply } from '../../domain/model/message.js';

/**
 * The choices a reply offers, including the ones its text asks for in words: a yes/no question
 * (「请回复「是」或「否」」) and the summary's 确认 / 修改 / 取消. Tapping one sends the same word
 * the user would type, so the handlers need not know a card was used.
 */
export function offeredChoices(reply: Reply): Choice[] {
  if (reply.choices?.length) return reply.choices;
  const t = reply.text;
  if (/回[复答]「是」或「否」/.test(t)) return [{ label: '是', value: '是' }, { label: '否', value: '否' }];
  if (/回复「确认」/.test(t)) {
    const c: Choice[] = [{ label: '确认', value: '确认' }];
    if (/「修改/.test(t)) c.push({ label: '修改', value: '修改' });
    if (/「取消」/.test(t)) c.push({ label: '取消', value: '取消' });
    return c;
  }
  return [];
}

const plain = (l: string): string => l.replace(/[*#>`_]/g, '').trim();

/**
 * The question a reply asks, for a card's title: the reply's own card title if it has one, else
 * the last line that is a question (a prompt often starts with 「开始新增个案登记…」 and asks
 * below), else the first line.
 */
export function questionOf(reply: Reply): string {
  if (reply.card?.title) return reply.card.title;
  const lines = reply.text.split('\n').map(plain).filter((l) => l !== '');
  const sentences = lines.flatMap((l) => l.split(/(?<=[。！？?])/).map((x) => x.trim()));
  const asked = [...sentences].reverse().find((l) => /[？?]$/.test(l));
  return asked ?? lines[0] ?? '请选择';
}

/** Whether several choices may be picked (the form says so, or the prompt does). */
export function isMulti(reply: Reply): boolean {
  return reply.card?.multi ?? /可多选/.test(reply.text);
}
