import { apiThrottler, type APIThrottlerOptions } from '@grammyjs/transformer-throttler';
import { Bot, GrammyError, HttpError } from 'grammy';
import type { InlineKeyboardMarkup, Update } from 'grammy/types';
import { HeldForReachError, type MessageSink, type PushProgress } from '../../core/channel.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { PushTarget, Reply } from '../../domain/model/message.js';
import type { Logger } from '../../core/log.js';
import { deliverableTarget } from '../../core/push-target.js';
import type { ChatChannel, ChatChannelOptions } from '../shared/chat-channel.js';
import { dispatchLogged } from '../shared/dispatch.js';
import { UnknownGroups } from '../shared/unknown-groups.js';
import type { ChannelFatalError } from '../shared/errors.js';
import { TelegramAuthError, TelegramConflictError, TelegramSendError } from './errors.js';
import { ChoiceKeys, escapeHtml, renderReply } from './render.js';
import { serveWebhook, type TelegramWebhookOptions } from './webhook.js';
import { TELEGRAM_CHANNEL, translateUpdate, type BotIdentity, type Translated } from './updates.js';

export interface TelegramChannelOptions extends ChatChannelOptions {
  /** From @BotFather. */
  token: string;
  /** Bot API server; default https://api.telegram.org. Tests point it at a loopback server. */
  apiRoot?: string;
  /**
   * Rate limits for outgoing calls (transformer-throttler; its defaults follow Telegram's: 30
   * messages a second overall, 20 a minute per group, one a second per private chat).
   * `false` turns throttling off.
   */
  throttle?: APIThrottlerOptions | false;
  /** Long-poll timeout in seconds; default 30. */
  pollTimeoutSec?: number;
  /** Receive updates by webhook instead of long polling. */
  webhook?: TelegramWebhookOptions;
  /**
   * Called for /start in a private chat. Unlike WeCom's enter_chat (which the router does not
   * count as reaching the bot), pressing Start is what lets a Telegram bot message a person, so
   * the chat must be recorded as reachable; wire it to `store.chats.touch`.
   */
  noteStarted?: (chatId: string, userId: string, at: Date) => Promise<void>;
}

export type TelegramChannel = ChatChannel;

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
const EXPIRED_BUTTON_TEXT = '该按钮已失效，请直接回复选项序号或文字';

function describe(err: unknown): { code?: number; message: string } {
  if (err instanceof GrammyError) return { code: err.error_code, message: `${err.error_code} ${err.description}` };
  if (err instanceof HttpError) return { message: err.message };
  return { message: (err as Error).message ?? String(err) };
}

/** The fatal error a failed getMe / getUpdates stands for; undefined when it is not fatal. */
function fatalOf(err: unknown): ChannelFatalError | undefined {
  if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
    return new TelegramAuthError(
      `Telegram 拒绝了机器人令牌（${err.error_code} ${err.description}）：请检查 TELEGRAM_BOT_TOKEN（可在 @BotFather 中用 /token 查看）`,
    );
  }
  if (err instanceof GrammyError && err.error_code === 409) {
    return new TelegramConflictError('另一个进程正在用同一个 Telegram 机器人令牌接收消息（409 Conflict），本进程已停止；同一机器人只能运行一个实例');
  }
  return undefined;
}

class TelegramChannelImpl implements TelegramChannel {
  readonly name = TELEGRAM_CHANNEL;
  readonly done: Promise<void>;
  private readonly bot: Bot;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly keys = new ChoiceKeys();
  private readonly unknownGroups: UnknownGroups;
  /** Replies per chat, sent in order without holding up the polling loop. */
  private readonly chains = new Map<string, Promise<void>>();
  private me: BotIdentity | undefined;
  private sink: MessageSink | undefined;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private isStarted = false;
  private closeWebhook: (() => Promise<void>) | undefined;
  private finished = false;

  constructor(private readonly opts: TelegramChannelOptions) {
    this.log = opts.log.child({ channel: TELEGRAM_CHANNEL });
    this.clock = opts.clock ?? systemClock;
    this.unknownGroups = new UnknownGroups(opts.knownGroupIds ?? [], this.log);
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Whoever cares awaits `done`; start() reports startup failures itself.
    this.done.catch(() => {});
    // grammY refuses an empty token in the constructor; start() reports a missing one clearly.
    this.bot = new Bot(opts.token || 'unset', { client: opts.apiRoot ? { apiRoot: opts.apiRoot } : {} });
    if (opts.throttle !== false) this.bot.api.config.use(apiThrottler(opts.throttle ?? {}));
    this.bot.use((ctx) => this.onUpdate(ctx.update));
    this.bot.catch((err) => this.log.error({ err: describe(err.error).message }, 'update handling failed'));
  }

  get started(): boolean {
    return this.isStarted;
  }

  async start(sink: MessageSink): Promise<void> {
    if (!this.opts.token) throw new TelegramAuthError('Telegram 机器人缺少 TELEGRAM_BOT_TOKEN，请在环境变量中设置');
    if (this.finished) throw new Error('Telegram channel already stopped');
    this.sink = sink;
    try {
      await this.bot.init();
    } catch (err) {
      throw fatalOf(err) ?? new Error(`无法连接 Telegram Bot API：${describe(err).message}`);
    }
    const info = this.bot.botInfo;
    this.me = { id: info.id, username: info.username };
    this.log.info({ bot: info.username }, 'Telegram bot token accepted');
    if (this.opts.webhook) {
      try {
        this.closeWebhook = await serveWebhook(this.bot, this.opts.webhook, ALLOWED_UPDATES);
      } catch (err) {
        throw fatalOf(err) ?? new Error(`Telegram webhook 未能启用：${describe(err).message}`);
      }
      this.log.info({ port: this.opts.webhook.port }, 'Telegram webhook registered');
      this.isStarted = true;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const polling = this.bot.start({
        allowed_updates: ALLOWED_UPDATES,
        timeout: this.opts.pollTimeoutSec ?? 30,
        onStart: () => resolve(),
      });
      polling.then(
        () => this.settle.resolve(),
        (err: unknown) => {
          const fatal = fatalOf(err) ?? Object.assign(new Error(`Telegram 轮询失败：${describe(err).message}`), { exitCode: 1 });
          this.finished = true;
          reject(fatal);
          this.settle.reject(fatal);
        },
      );
    });
    this.isStarted = true;
  }

  async stop(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (this.bot.isRunning()) await this.bot.stop();
    await this.closeWebhook?.();
    await Promise.all(this.chains.values());
    this.settle.resolve();
  }

  async push(target: PushTarget, reply: Reply, progress?: PushProgress): Promise<PushTarget | void> {
    const resolved = await deliverableTarget(this.opts.resolveTarget, target);
    const chatId = resolved.target.id;
    const rendered = renderReply(reply, this.keys);
    const mentioned = reply.mentions?.[0];
    const name = /^@([^：:\s]+)[：:]/.exec(reply.text)?.[1];
    if (mentioned && name && /^\d+$/.test(mentioned) && rendered.html[0]) {
      // A real mention, so Telegram notifies the person even in a busy group.
      const at = escapeHtml(`@${name}`);
      rendered.html[0] = rendered.html[0].replace(at, `<a href="tg://user?id=${mentioned}">${at}</a>`);
    }
    for (let i = progress?.from ?? 0; i < rendered.html.length; i++) {
      const html = rendered.html[i]!;
      const last = i === rendered.html.length - 1;
      try {
        await this.send(chatId, html, last ? rendered.keyboard : undefined);
      } catch (err) {
        const d = describe(err);
        throw new TelegramSendError(`Telegram 未接受推送到 ${chatId}：${d.message}`, d.code);
      }
      await progress?.onPart(i + 1);
    }
  }

  private send(chatId: string, html: string, keyboard?: InlineKeyboardMarkup, replyTo?: number) {
    return this.bot.api.sendMessage(chatId, html, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...(keyboard ? { reply_markup: keyboard } : {}),
      ...(replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
    });
  }

  private async onUpdate(update: Update): Promise<void> {
    const t = translateUpdate(update, this.me!, this.clock.now(), (d) => this.keys.decode(d));
    if (!t) return;
    if (t.type === 'expired') {
      await this.bot.api.answerCallbackQuery(t.queryId, { text: EXPIRED_BUTTON_TEXT }).catch((e: unknown) => {
        this.log.debug({ err: describe(e).message }, 'callback answer refused');
      });
      return;
    }
    const { msg } = t;
    if (t.callback) this.acknowledgeClick(msg.chatId, msg.chatType, t.callback);
    this.unknownGroups.seen(msg.chatType, msg.chatId);
    if (msg.kind === 'enter_chat' && msg.chatType === 'single') await this.opts.noteStarted?.(msg.chatId, msg.userId, msg.receivedAt);
    // Dispatch in update order (grammY hands updates over one at a time); only sending is deferred.
    // Telegram redelivers an update when the bot stopped before confirming it, as WeCom does.
    const result = await dispatchLogged(this.sink!, msg, this.log);
    if (!result) return;
    const replies = result.replies;
    this.enqueue(msg.chatId, () => this.answer(t, replies));
  }

  /** Stops the spinner on the button; in a private chat the keyboard goes, so an old answer cannot be clicked into a later question. */
  private acknowledgeClick(chatId: string, chatType: string, cb: NonNullable<Extract<Translated, { type: 'message' }>['callback']>): void {
    const quiet = (what: string) => (e: unknown) => this.log.debug({ what, err: describe(e).message }, 'click acknowledgement refused');
    this.bot.api.answerCallbackQuery(cb.queryId).catch(quiet('answerCallbackQuery'));
    // In a group the others may still want to answer, as with WeCom cards.
    if (chatType === 'single' && cb.keyboardMessageId !== undefined) {
      this.bot.api
        .editMessageReplyMarkup(chatId, cb.keyboardMessageId, { reply_markup: { inline_keyboard: [] } })
        .catch(quiet('editMessageReplyMarkup'));
    }
  }

  private async answer(t: Extract<Translated, { type: 'message' }>, replies: Reply[]): Promise<void> {
    const { chatId } = t.msg;
    let replyTo = t.replyTo;
    for (const r of replies) {
      const rendered = renderReply(r, this.keys);
      for (const [i, html] of rendered.html.entries()) {
        const last = i === rendered.html.length - 1;
        try {
          await this.send(chatId, html, last ? rendered.keyboard : undefined, replyTo);
          replyTo = undefined;
        } catch (err) {
          const d = describe(err);
          this.log.warn({ msgId: t.msg.id, code: d.code, err: d.message }, 'reply not delivered');
        }
      }
    }
  }

  private enqueue(chatId: string, job: () => Promise<void>): void {
    const next: Promise<void> = (this.chains.get(chatId) ?? Promise.resolve())
      .then(job)
      .catch((err: unknown) => this.log.error({ chatId, err: describe(err).message }, 'reply failed'))
      .finally(() => {
        if (this.chains.get(chatId) === next) this.chains.delete(chatId);
      });
    this.chains.set(chatId, next);
  }
}

/**
 * The Telegram channel on grammY with long polling. `start()` resolves once the token was
 * accepted (getMe) and polling began; it rejects with {@link TelegramAuthError} for a refused
 * token. Later fatal ends are reported through `done`.
 */
export function createTelegramChannel(opts: TelegramChannelOptions): TelegramChannel {
  return new TelegramChannelImpl(opts);
}
