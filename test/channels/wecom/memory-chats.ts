import type { ChatRecord } from '../../../src/domain/model/records.js';
import type { ChatRepo, Store } from '../../../src/domain/ports/store.js';

/** Just the chats repository, in memory, for tests of functions that read only that. */
export function memoryChats(): Pick<Store, 'chats'> {
  const rows = new Map<string, ChatRecord>();
  const chats: ChatRepo = {
    async touch(chatId, chatType, userId, now) {
      const old = rows.get(chatId);
      rows.set(chatId, { chatId, chatType, lastUserId: userId, firstSeenAt: old?.firstSeenAt ?? now, lastSeenAt: now });
    },
    get: async (chatId) => rows.get(chatId),
    list: async () => [...rows.values()].sort((a, b) => a.chatType.localeCompare(b.chatType) || a.chatId.localeCompare(b.chatId)),
  };
  return { chats };
}
