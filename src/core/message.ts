/**
 * Domain-level messages. Channels (WeCom, console, …) translate their own frames into these
 * and back; nothing below `src/channels/` knows which platform a message came from.
 */

export type ChatType = 'single' | 'group';

/** What kind of input the user gave. A button click carries the option value as `text`. */
export type InboundKind = 'text' | 'button' | 'enter_chat' | 'unsupported';

export interface InboundMessage {
  /** Platform message id; the router handles each id once (redelivery is common on WeCom). */
  id: string;
  channel: string;
  userId: string;
  /** Group chat id, or the user id itself for a private chat (WeCom uses the userid as chatid). */
  chatId: string;
  chatType: ChatType;
  kind: InboundKind;
  /** Plain text with any leading @mention already stripped by the channel. */
  text: string;
  receivedAt: Date;
}

export interface Choice {
  /** What the user sees on a button or in a numbered list. */
  label: string;
  /** What the bot receives when the button is clicked; typing the label or number also works. */
  value: string;
}

/** One message from the bot. `text` is markdown-light: channels may render or strip it. */
export interface Reply {
  text: string;
  choices?: Choice[];
}

/** Where a push (a message without a triggering inbound message) goes. */
export interface PushTarget {
  kind: 'user' | 'chat';
  id: string;
}
