import type { Reply } from '../../domain/model/message.js';

/** Plain-text rendering of a reply for a terminal: choices become a numbered list. */
export function renderReply(reply: Reply): string {
  const lines = [reply.text.replace(/\*\*(.+?)\*\*/g, '$1')];
  if (reply.choices?.length) {
    reply.choices.forEach((c, i) => lines.push(`  ${i + 1}. ${c.label}`));
  }
  return lines.join('\n');
}
