import type { Reply } from '../../domain/model/message.js';

/**
 * Reply text with its choices as a numbered list, as the console shows it: typing the number or
 * the label must work on every channel, and the list is all a user sees when buttons are not shown.
 */
export function replyMarkdown(reply: Reply): string {
  const lines = [reply.text];
  if (reply.choices?.length) reply.choices.forEach((c, i) => lines.push(`${i + 1}. ${c.label}`));
  return lines.join('\n');
}
