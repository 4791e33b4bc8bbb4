import {
  WSAuthFailureError,
  WSClient,
  WSReconnectExhaustedError,
  type SendMsgBody,
  type TemplateCard,
  type WSClientOptions,
  type WsFrame,
} from '@wecom/aibot-node-sdk';
import type { MessageSink } from '../../core/channel.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { PushTarget, Reply } from '../../core/message.js';
import type { Logger } from '../../log.js';
import {
  WecomAuthError,
  WecomNotConnectedError,
  WecomRateLimitedError,
  WecomReconnectExhaustedError,
  WecomSendError,
  WecomTakenOverError,
  type WecomFatalError,
} from './errors.js';
import { translateEvent, translateMessage, WECOM_CHANNEL, type Translated } from './frames.js';
import type { WecomPacer } from './pacing.js';
import type { ChatChannel, ChatChannelOptions } from '../shared/chat-channel.js';
import { dispatchLogged } from '../shared/dispatch.js';
import { NoticeCooldown } from '../shared/notice-cooldown.js';
import { UnknownGroups } from '../shared/unknown-groups.js';
import { answeredCard, renderReply, type ChoiceCardInfo } from './render.js';
import { replyMarkdown } from '../shared/choice-list.js';
import { sdkLogger } from './sdk-logger.js';
import { splitContent } from './split.js';
import { uniqueId } from './unique-id.js';
import { sendWebhookText, type WebhookOptions } from './webhook.js';

export interface WecomChannelOptions extends ChatChannelOptions {
  botId: string;
  secret: string;
  /** Long-connection endpoint; default the SDK's wss://openws.work.weixin.qq.com. */
  wsUrl?: string;
  /** Counts every frame sent per chat; share it with the outbox worker. */
  pacer?: WecomPacer;
  /** How long push() waits for a lost connection to come back before failing. Default 15 s. */
  pushConnectTimeoutMs?: number;
  /** Group-robot webhook settings, for notices that must @-mention someone. */
  webhook?: WebhookOptions;
  /** SDK tuning; tests shorten the backoff. */
  sdk?: Partial<
    Pick<WSClientOptions, 'reconnectInterval' | 'maxReconnectAttempts' | 'maxAuthFailureAttempts' | 'heartbeatInterval' | 'wsOptions'>
  >;
}

export interface WecomChannel extends ChatChannel {
  /** Authenticated right now. */
  readonly connected: boolean;
}

const CARD_CACHE_SIZE = 1000;

/** An SDK ack rejection is either an Error or the ack frame itself (errcode ≠ 0). */
function failure(e: unknown): { errcode?: number; message: string } {
  if (e instanceof Error) return { message: e.message };
  const f = e as Partial<WsFrame>;
  return { errcode: f.errcode, message: `errcode ${f.errcode ?? '?'}: ${f.errmsg ?? ''}` };
}

const streamId = (): string => uniqueId('s');

class WecomChannelImpl implements WecomChannel {
  readonly name = WECOM_CHANNEL;
  readonly done: Promise<void>;
  private readonly client: WSClient;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly unknownGroups: UnknownGroups;
  private readonly cards = new Map<string, ChoiceCardInfo>();
  private readonly notices: NoticeCooldown;
  private readonly authWaiters = new Set<{ ok: () => void; fail: (e: Error) => void }>();
  private sink: MessageSink | undefined;
  private starting: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private authenticated = false;
  private everAuthenticated = false;
  private finished = false;
  private lastAuthFailure = '';

  constructor(private readonly opts: WecomChannelOptions) {
    this.log = opts.log.child({ channel: WECOM_CHANNEL });
    this.clock = opts.clock ?? systemClock;
    this.unknownGroups = new UnknownGroups(opts.knownGroupIds ?? [], this.log);
    this.notices = new NoticeCooldown(opts.noticeCooldownMs);
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Whoever cares awaits `done`; without a listener a fatal end must not crash the process
    // as an unhandled rejection (start() reports the startup failures itself).
    this.done.catch(() => {});
    this.client = new WSClient({
      botId: opts.botId,
      secret: opts.secret,
      ...(opts.wsUrl ? { wsUrl: opts.wsUrl } : {}),
      // A bot office PC may be offline for hours; keep trying with the SDK's capped backoff.
      maxReconnectAttempts: -1,
      ...opts.sdk,
      logger: sdkLogger(this.log),
    });
    this.wire();
  }

  get connected(): boolean {
    return this.authenticated;
  }

  get started(): boolean {
    return this.everAuthenticated && !this.starting;
  }

  start(sink: MessageSink): Promise<void> {
    if (!this.opts.botId || !this.opts.secret) {
      return Promise.reject(new WecomAuthError('企业微信机器人缺少 WECOM_BOT_ID 或 WECOM_BOT_SECRET，请在环境变量中设置'));
    }
    if (this.finished) return Promise.reject(new Error('WeCom channel already stopped'));
    this.sink = sink;
    return new Promise<void>((resolve, reject) => {
      this.starting = { resolve, reject };
      this.client.connect();
    });
  }

  async stop(): Promise<void> {
    if (this.finished) return;
    this.end();
    this.settle.resolve();
  }

  async push(target: PushTarget, reply: Reply): Promise<PushTarget | void> {
    const resolved = this.opts.resolveTarget?.(target) ?? { target, redirected: false };
    const content = resolved.notice ?? reply;
    const chatId = resolved.target.id;
    const mention = resolved.mention;
    // The group already asked this person to write to the bot; do not repeat it per reminder.
    if (mention && this.notices.cooling(mention.userid, chatId, this.clock.now())) return resolved.target;
    const key = resolved.group?.webhookKey;
    if (resolved.redirected && resolved.mention && key) {
      try {
        await sendWebhookText(key, content.text, [resolved.mention.userid], this.opts.webhook);
        this.notices.note(resolved.mention.userid, chatId, this.clock.now());
        return resolved.target;
      } catch (err) {
        // The bot itself can still post the notice, only without a real @-mention.
        this.log.warn({ chatId, err: (err as Error).message }, 'group webhook failed; posting the notice through the bot');
      }
    }
    await this.waitAuthenticated();
    const rendered = renderReply(content);
    const frames = rendered.markdown.length + (rendered.card ? 1 : 0);
    if (this.opts.pacer) {
      const now = this.clock.now();
      const wait = this.opts.pacer.delayForChat(chatId, now, frames);
      if (wait > 0) {
        throw new WecomRateLimitedError(`会话 ${chatId} 已达企业微信频率上限`, new Date(now.getTime() + wait));
      }
    }
    for (const md of rendered.markdown) {
      await this.send(chatId, { msgtype: 'markdown', markdown: { content: md } });
    }
    if (rendered.card) {
      this.rememberCard(rendered.card.task_id!, rendered.info!);
      await this.send(chatId, { msgtype: 'template_card', template_card: rendered.card });
    }
    if (resolved.redirected) {
      if (mention) this.notices.note(mention.userid, chatId, this.clock.now());
      this.log.info({ to: chatId }, 'push redirected: the person never wrote to the bot');
      return resolved.target;
    }
  }

  private wire(): void {
    const c = this.client;
    c.on('authenticated', () => {
      this.authenticated = true;
      this.lastAuthFailure = '';
      if (!this.everAuthenticated) {
        this.everAuthenticated = true;
        this.log.info('WeCom long connection authenticated');
      } else {
        this.log.info('WeCom long connection restored');
      }
      for (const w of this.authWaiters) w.ok();
      this.authWaiters.clear();
      this.starting?.resolve();
      this.starting = undefined;
    });
    c.on('disconnected', (reason) => {
      const was = this.authenticated;
      this.authenticated = false;
      if (was && !this.finished) this.log.warn({ reason }, 'WeCom connection lost; reconnecting with backoff');
    });
    c.on('reconnecting', (attempt) => this.log.debug({ attempt }, 'reconnecting'));
    c.on('error', (err) => {
      if (err instanceof WSAuthFailureError) {
        const why = this.lastAuthFailure ? `（${this.lastAuthFailure}）` : '';
        this.fatal(
          new WecomAuthError(
            `企业微信拒绝了机器人凭据${why}，重试后仍失败：请检查 WECOM_BOT_ID 和 WECOM_BOT_SECRET（管理后台 → 智能机器人 → API 模式 → 长连接）`,
          ),
        );
      } else if (err instanceof WSReconnectExhaustedError) {
        this.fatal(new WecomReconnectExhaustedError(`企业微信长连接重连 ${err.message}，已放弃`));
      } else if (err.message.startsWith('Authentication failed')) {
        this.lastAuthFailure = err.message.replace(/^Authentication failed:\s*/, '');
        this.log.debug({ why: this.lastAuthFailure }, 'authentication refused; the SDK retries');
      } else {
        this.log.debug({ err: err.message }, 'WeCom socket error');
      }
    });
    c.on('event.disconnected_event', () => {
      this.log.error('disconnected_event: another instance subscribed with this bot and WeCom closed this connection; stopping instead of reconnecting');
      this.fatal(new WecomTakenOverError('另一个进程用同一个机器人连上了企业微信（disconnected_event），本进程已停止；同一机器人只能运行一个实例'));
    });
    c.on('message', (frame) => void this.onCallback(frame, translateMessage(frame.body, this.clock.now())));
    c.on('event', (frame) => {
      const type = (frame.body as { event?: { eventtype?: string } } | undefined)?.event?.eventtype;
      if (type === 'disconnected_event') return;
      const t = translateEvent(frame.body, this.clock.now());
      // feedback_event and unknown events are not messages; nothing to answer.
      if (t) void this.onCallback(frame, t);
      else this.log.debug({ eventType: type }, 'event ignored');
    });
  }

  private fatal(err: WecomFatalError): void {
    if (this.finished) return;
    this.end();
    if (this.starting) {
      this.starting.reject(err);
      this.starting = undefined;
    }
    this.settle.reject(err);
  }

  private end(): void {
    this.finished = true;
    this.authenticated = false;
    // disconnect() is a no-op (with a debug line) when the SDK already considers itself stopped.
    this.client.disconnect();
    for (const w of this.authWaiters) w.fail(new WecomNotConnectedError('企业微信通道已停止'));
    this.authWaiters.clear();
  }

  private waitAuthenticated(): Promise<void> {
    if (this.authenticated) return Promise.resolve();
    if (this.finished) return Promise.reject(new WecomNotConnectedError('企业微信通道已停止'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.authWaiters.delete(w);
        reject(new WecomNotConnectedError('企业微信长连接暂未连通'));
      }, this.opts.pushConnectTimeoutMs ?? 15_000);
      const w = {
        ok: () => {
          clearTimeout(timer);
          resolve();
        },
        fail: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.authWaiters.add(w);
    });
  }

  private async onCallback(frame: WsFrame, t: Translated | null): Promise<void> {
    const reqId = frame.headers?.req_id;
    if (!t || !reqId) {
      this.log.warn({ reqId }, 'malformed callback ignored');
      return;
    }
    const { msg } = t;
    this.unknownGroups.seen(msg.chatType, msg.chatId);
    // A card must be updated within 5 s of the click, so do not wait for the handlers.
    if (t.route === 'card_event' && t.taskId) this.markCardAnswered(frame, t.taskId, msg.text, msg.userId);
    // A redelivered message gets the first answer again, on its new req_id.
    const result = await dispatchLogged(this.sink!, msg, this.log);
    if (!result) return;
    await this.answer(frame, t, result.replies);
  }

  private async answer(frame: WsFrame, t: Translated, replies: Reply[]): Promise<void> {
    const { chatId } = t.msg;
    let sent = 0;
    const attempt = async (what: string, p: () => Promise<unknown>): Promise<void> => {
      try {
        await p();
        sent++;
      } catch (e) {
        const f = failure(e);
        this.log.warn({ msgId: t.msg.id, what, errcode: f.errcode, err: f.message }, 'reply not delivered');
      }
    };
    if (t.route === 'welcome') {
      // One welcome frame within 5 s; anything longer or a card follows as an ordinary send.
      const [first, ...rest] = splitContent(replies.map(replyMarkdown).join('\n\n'));
      if (first) await attempt('welcome', () => this.client.replyWelcome(frame, { msgtype: 'text', text: { content: first } }));
      for (const md of rest) await attempt('send', () => this.client.sendMessage(chatId, { msgtype: 'markdown', markdown: { content: md } }));
      for (const r of replies) {
        const { card, info } = renderReply(r);
        if (card && info) await attempt('card', () => this.sendCard(chatId, card, info));
      }
    } else {
      for (const r of replies) {
        const rendered = renderReply(r);
        for (const md of rendered.markdown) {
          if (t.route === 'respond') await attempt('stream', () => this.client.replyStream(frame, streamId(), md, true));
          // A click's req_id only accepts a card update; the answer goes as a push to the chat.
          else await attempt('send', () => this.client.sendMessage(chatId, { msgtype: 'markdown', markdown: { content: md } }));
        }
        const { card, info } = rendered;
        if (card && info) {
          if (t.route === 'respond') {
            this.rememberCard(card.task_id!, info);
            await attempt('card', () => this.client.replyTemplateCard(frame, card));
          } else {
            await attempt('card', () => this.sendCard(chatId, card, info));
          }
        }
      }
    }
    if (sent) this.opts.pacer?.noteSent(chatId, this.clock.now(), sent);
  }

  private async sendCard(chatId: string, card: TemplateCard, info: ChoiceCardInfo): Promise<void> {
    // Remember first: a quick click can arrive before the send's ack.
    this.rememberCard(card.task_id!, info);
    await this.client.sendMessage(chatId, { msgtype: 'template_card', template_card: card });
  }

  private markCardAnswered(frame: WsFrame, taskId: string, value: string, userId: string): void {
    const card = answeredCard(taskId, this.cards.get(taskId), value);
    // Only the clicker's copy changes: in a group the others may still want to answer.
    this.client.updateTemplateCard(frame, card, [userId]).catch((e: unknown) => {
      this.log.debug({ taskId, err: failure(e).message }, 'card update refused');
    });
  }

  private rememberCard(taskId: string, info: ChoiceCardInfo): void {
    this.cards.set(taskId, info);
    if (this.cards.size > CARD_CACHE_SIZE) this.cards.delete(this.cards.keys().next().value!);
  }

  private async send(chatId: string, body: SendMsgBody): Promise<void> {
    try {
      await this.client.sendMessage(chatId, body);
    } catch (e) {
      const f = failure(e);
      throw new WecomSendError(`企业微信未确认推送到 ${chatId}：${f.message}`, f.errcode);
    }
    this.opts.pacer?.noteSent(chatId, this.clock.now());
  }
}

/**
 * The WeCom channel over the official SDK's long connection. `start()` resolves once the bot is
 * authenticated and rejects with {@link WecomAuthError} when WeCom refuses the credentials after
 * the SDK's retries; later fatal ends are reported through `done`.
 */
export function createWecomChannel(opts: WecomChannelOptions): WecomChannel {
  return new WecomChannelImpl(opts);
}
