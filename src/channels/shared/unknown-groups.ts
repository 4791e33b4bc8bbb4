import type { ChatType } from '../../domain/model/message.js';
import type { Logger } from '../../core/log.js';

/** Logs, once per group, a group chat that is not in the config, so the admin can learn its chatId. */
export class UnknownGroups {
  private readonly known: Set<string>;
  private readonly reported = new Set<string>();

  constructor(
    known: Iterable<string>,
    private readonly log: Logger,
  ) {
    this.known = new Set(known);
  }

  seen(chatType: ChatType, chatId: string): void {
    if (chatType !== 'group' || this.known.has(chatId) || this.reported.has(chatId)) return;
    this.reported.add(chatId);
    this.log.warn({ chatId }, '未配置的群聊：如需在此群提醒，请把该 chatId 加入 humiao.config.yaml 的 groups');
  }
}
