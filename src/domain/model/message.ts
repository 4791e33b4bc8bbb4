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
  /**
   * The text of the message this one quotes, when the user quoted one (WeCom's 引用): an answer
   * to a reminder often quotes it, and what the reminder was about is in there.
   */
  quote?: string;
  /**
   * For a tap on a card: the key of the question the card asked ({@link ReplyCard.key}), so the
   * dialog can refuse a tap on a question it no longer asks (another step, an older form).
   */
  cardKey?: string;
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
  /**
   * How a platform that has cards should offer the choices. All optional: without it a channel
   * derives what it can from the reply (the question line as title, single choice).
   */
  card?: ReplyCard;
  /** People this message calls out by name (a "please write to me" nudge); a group robot can @ them. */
  mentions?: string[];
  /** A file to deliver with the text (a report), where the platform can send files. */
  file?: ReplyFile;
  /**
   * This answers a tap that was not taken (the card's question is no longer asked): nothing was
   * recorded, and a platform with cards shows the tapped card as expired.
   */
  staleTap?: boolean;
  /** A welcome (opening the chat, a greeting): what a platform with cards shows as one short card. */
  welcome?: WelcomeCard;
}

export interface WelcomeCard {
  greeting: string;
  /** The question a registration in progress waits on, shown on the card with a way to go on. */
  pending?: string;
  /** Quick actions, each sending its value as if typed; they never expire. */
  actions: Choice[];
}

export interface ReplyCard {
  /** The question, shown as the card's title. */
  title?: string;
  /** More than one choice may be picked; the answer arrives as the values joined by 「、」. */
  multi?: boolean;
  /**
   * What the card answers, e.g. `<form>:<version>:<step>`: a tap is taken only while this is still
   * the question being asked; a later reply with a different key makes the card stale.
   */
  key?: string;
}

export interface ReplyFile {
  name: string;
  /** The file's bytes, base64: replies are stored as JSON in the outbox and the reply cache. */
  base64?: string;
  /**
   * A report the channel builds when it sends the file (building a workbook is asynchronous,
   * handlers are not); numbers only, never a child's details.
   */
  report?: { kind: 'quarterly'; period: string };
}

/** Where a push (a message without a triggering inbound message) goes. */
export interface PushTarget {
  kind: 'user' | 'chat';
  id: string;
}
