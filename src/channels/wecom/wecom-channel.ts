import {
  WSAuthFailureError,
  WSClient,
  WSReconnectExhaustedError,
  type SendMsgBody,
  type TemplateCard,
  type WSClientOptions,
  type WsFrame,
} from '@wecom/aibot-node-sdk';
import { HeldForReachError, type DispatchResult, type MessageSink, type PushProgress } from '../../core/channel.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { InboundMessage, PushTarget, Reply, ReplyFile } from '../../domain/model/message.js';
import type { Logger } from '../../core/log.js';
import { CARD_LIFE_MS, type CardRepo, type ConversationTurn, type SentCard } from '../../domain/ports/store.js';
import { CardRegistry } from './card-registry.js';
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
import { UnknownGroups } from '../shared/unknown-groups.js';
import { deliverableTarget } from '../../core/push-target.js';
import { answeredCard, expiredCard, newTaskId, notYoursCard, pickedValues, renderReply, welcomeCard, type ChoiceCardInfo } from './render.js';
import { replyMarkdown } from '../shared/choice-list.js';
import { offeredChoices } from '../shared/reply-choices.js';
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
  /**
   * Where an answer goes that could not be delivered on its callback (connection lost, ack
   * timeout, refused): it is queued as a push to the same conversation, from the first part
   * that did not arrive. Without it such an answer is only logged.
   */
  fallback?: (target: PushTarget, reply: Reply, partsSent: number) => Promise<void>;
  /**
   * Where sent cards and each conversation's last turn are kept: the store's, so a tap after a
   * restart is still judged (taken while current, refused when stale). Default: memory only.
   */
  cards?: CardRepo;
  /** Runs the registry's queued writes atomically: the store's transaction, one disk sync for all. */
  cardWrites?: (fn: () => Promise<void>) => Promise<void>;
  /** How long a card can be tapped; default CARD_LIFE_MS. */
  cardLifeMs?: number;
  /** Builds the bytes of a file a reply names but does not carry (a report). */
  makeFile?: (file: ReplyFile) => Promise<Buffer>;
  /** SDK tuning; tests shorten the backoff. */
  sdk?: Partial<
    Pick<WSClientOptions, 'reconnectInterval' | 'maxReconnectAttempts' | 'maxAuthFailureAttempts' | 'heartbeatInterval' | 'wsOptions'>
  >;
}

export interface WecomChannel extends ChatChannel {
  /** Authenticated right now. */
  readonly connected: boolean;
}

/** A tap the handlers will see: what it stands for, and how to update the tapped card after. */
interface Tap {
  text: string;
  values: string[];
  card: SentCard;
  info: ChoiceCardInfo;
  update: (tc: TemplateCard) => void;
}

/**
 * Whether a card still asks what is being asked: a card with a question key while the person's
 * last reply asks the same question (a re-asked question keeps its cards); one without, while no
 * reply came after it. Quick actions are always current until they expire.
 */
function isCurrent(card: SentCard, turn: ConversationTurn | undefined): boolean {
  if (card.standing) return true;
  return card.key !== null ? turn?.key === card.key : (turn?.turn ?? 0) === card.turn;
}

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
  private readonly cards: CardRegistry;
  private readonly authWaiters = new Set<{ ok: () => void; fail: (e: Error) => void }>();
  private sink: MessageSink | undefined;
  private starting: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private authenticated = false;
  private everAuthenticated = false;
  private finished = false;
  private lastAuthFailure = '';
  /**
   * The last callback handed to the handlers, or still being looked at: a tap waits for its card
   * (from the store after a restart), and a message that arrived after it waits for that, so the
   * handlers get them in the order the person sent them.
   */
  private arrivals: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: WecomChannelOptions) {
    this.log = opts.log.child({ channel: WECOM_CHANNEL });
    this.clock = opts.clock ?? systemClock;
    this.unknownGroups = new UnknownGroups(opts.knownGroupIds ?? [], this.log);
    this.cards = new CardRegistry(opts.cards, opts.cardWrites ?? ((fn) => fn()), this.log);
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
    await this.end();
    this.settle.resolve();
  }

  async push(target: PushTarget, reply: Reply, progress?: PushProgress): Promise<PushTarget | void> {
    const resolved = await deliverableTarget(this.opts.resolveTarget, target);
    const chatId = resolved.target.id;
    const key = resolved.group?.webhookKey;
    if (key && reply.mentions?.length) {
      try {
        await sendWebhookText(key, reply.text, reply.mentions, this.opts.webhook);
        return resolved.target;
      } catch (err) {
        // The bot itself can still post the notice, only without a real @-mention.
        this.log.warn({ chatId, err: (err as Error).message }, 'group webhook failed; posting the notice through the bot');
      }
    }
    await this.waitAuthenticated();
    // Buttons for the cases a push names (a reminder) — not on answers, whose text may only
    // mention a code as an example (the help).
    const rendered = renderReply(reply, newTaskId, undefined, { privateChat: target.kind === 'user' });
    const parts = this.partsOf(rendered, reply);
    const from = progress?.from ?? 0;
    if (this.opts.pacer) {
      const now = this.clock.now();
      const wait = this.opts.pacer.delayForChat(chatId, now, Math.max(1, parts.length - from));
      if (wait > 0) {
        throw new WecomRateLimitedError(`会话 ${chatId} 已达企业微信频率上限`, new Date(now.getTime() + wait));
      }
    }
    // A reminder pushed in the middle of a registration asks nothing: the question stays current.
    if (target.kind === 'user') await this.noteTurn(chatId, target.id, reply, !reply.card?.key && offeredChoices(reply).length === 0);
    for (let i = from; i < parts.length; i++) {
      await parts[i]!(chatId, target.kind === 'user' ? target.id : undefined);
      await progress?.onPart(i + 1);
    }
  }

  /**
   * A reply as the frames it takes, in order: its markdown pieces, then its file, then its card.
   * The same list on the callback and as a push, so "parts delivered" means the same in both.
   */
  private partsOf(rendered: ReturnType<typeof renderReply>, reply: Reply): Array<(chatId: string, forUser?: string) => Promise<void>> {
    const parts: Array<(chatId: string, forUser?: string) => Promise<void>> = rendered.markdown.map(
      (md) => (chatId: string) => this.send(chatId, { msgtype: 'markdown', markdown: { content: md } }),
    );
    if (reply.file) {
      const file = reply.file;
      parts.push(async (chatId) => {
        const data = file.base64 !== undefined ? Buffer.from(file.base64, 'base64') : await this.opts.makeFile?.(file);
        if (!data) throw new WecomSendError(`无法生成文件 ${file.name}`, 44004);
        const up = await this.client.uploadMedia(data, { type: 'file', filename: file.name });
        await this.send(chatId, { msgtype: 'file', file: { media_id: up.media_id } });
      });
    }
    const { card, info } = rendered;
    if (card && info) {
      parts.push(async (chatId, forUser) => {
        // Remember first: a quick tap can arrive before the send's ack.
        await this.rememberCard(card.task_id!, info, chatId, forUser);
        await this.send(chatId, { msgtype: 'template_card', template_card: card });
      });
    }
    return parts;
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
    c.on('error', (err) => void this.onSocketError(err));
    c.on('event.disconnected_event', () => {
      this.log.error('disconnected_event: another instance subscribed with this bot and WeCom closed this connection; stopping instead of reconnecting');
      void this.fatal(new WecomTakenOverError('另一个进程用同一个机器人连上了企业微信（disconnected_event），本进程已停止；同一机器人只能运行一个实例'));
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

  private async onSocketError(err: Error): Promise<void> {
    if (err instanceof WSAuthFailureError) {
      const why = this.lastAuthFailure ? `（${this.lastAuthFailure}）` : '';
      await this.fatal(
        new WecomAuthError(
          `企业微信拒绝了机器人凭据${why}，重试后仍失败：请检查 WECOM_BOT_ID 和 WECOM_BOT_SECRET（管理后台 → 智能机器人 → API 模式 → 长连接）`,
        ),
      );
    } else if (err instanceof WSReconnectExhaustedError) {
      await this.fatal(new WecomReconnectExhaustedError(`企业微信长连接重连 ${err.message}，已放弃`));
    } else if (err.message.startsWith('Authentication failed')) {
      this.lastAuthFailure = err.message.replace(/^Authentication failed:\s*/, '');
      this.log.debug({ why: this.lastAuthFailure }, 'authentication refused; the SDK retries');
    } else {
      this.log.debug({ err: err.message }, 'WeCom socket error');
    }
  }

  private async fatal(err: WecomFatalError): Promise<void> {
    if (this.finished) return;
    await this.end();
    if (this.starting) {
      this.starting.reject(err);
      this.starting = undefined;
    }
    this.settle.reject(err);
  }

  private async end(): Promise<void> {
    this.finished = true;
    this.authenticated = false;
    await this.cards.flush();
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
    this.unknownGroups.seen(t.msg.chatType, t.msg.chatId);
    const admitted = this.arrivals.then(() => this.admit(frame, t));
    this.arrivals = admitted.catch(() => undefined);
    const turn = await admitted;
    if (!turn) return;
    const { msg, tap } = turn;
    // A redelivered message gets the first answer again, on its new req_id.
    const result = await turn.result;
    if (tap) {
      // The card is updated within WeCom's 5 s of the tap: the handlers run in milliseconds. It
      // shows the choice, or that it expired when the dialog refused it (its question changed).
      const refused = result?.replies.some((r) => r.staleTap) ?? false;
      tap.update(refused ? expiredCard(tap.card.taskId, tap.info) : answeredCard(tap.card.taskId, tap.info, tap.values));
    }
    if (!result) return;
    await this.answer(frame, { ...t, msg }, result.replies);
  }

  /** Hands the callback to the handlers (a tap only when it stands for an answer), without waiting for their answer. */
  private async admit(frame: WsFrame, t: Translated): Promise<{ msg: InboundMessage; tap: Tap | undefined; result: Promise<DispatchResult | undefined> } | undefined> {
    let { msg } = t;
    let tap: Tap | undefined;
    if (t.route === 'card_event') {
      tap = await this.onTap(frame, t);
      if (!tap) return undefined;
      msg = { ...msg, text: tap.text, ...(tap.card.key !== null ? { cardKey: tap.card.key } : {}) };
    }
    return { msg, tap, result: dispatchLogged(this.sink!, msg, this.log) };
  }

  /**
   * A tap on a card: what it stands for, or undefined when it must not reach the handlers — an
   * old card (the question moved on), a card the bot no longer knows or that expired, or, in a
   * group, a card meant for someone else. Those are refused politely and the card shows why.
   */
  private async onTap(frame: WsFrame, t: Translated): Promise<Tap | undefined> {
    const { msg } = t;
    const taskId = t.taskId ?? '';
    const now = this.clock.now();
    const card = await this.cards.get(taskId, now);
    const info = card?.body as ChoiceCardInfo | undefined;
    const update = (tc: TemplateCard): void => {
      // Only the tapper's copy changes: in a group the others keep theirs.
      this.client.updateTemplateCard(frame, tc, [msg.userId]).catch((e: unknown) => {
        this.log.debug({ taskId, err: failure(e).message }, 'card update refused');
      });
    };
    if (card && card.forUser && card.forUser !== msg.userId) {
      update(notYoursCard(taskId, info));
      return undefined;
    }
    const turn = await this.turnOf(card?.chatId ?? msg.chatId, card?.userId ?? msg.userId);
    if (!card || !info || !isCurrent(card, turn)) {
      update(expiredCard(taskId, info));
      this.log.info({ taskId, known: Boolean(card) }, 'stale card tapped; showing the current question');
      const again = turn?.reply ?? undefined;
      const lines = ['这张卡片已过期，刚才的点击没有记录。'];
      if (again) lines.push('当前的提问是：');
      void this.sayTo(msg.chatId, msg.chatType === 'group' ? msg.userId : undefined, [{ text: lines.join('\n') }, ...(again ? [again] : [])]);
      return undefined;
    }
    const values = pickedValues(info, msg.text, t.optionIds ?? []);
    if (values.length === 0) {
      // A submit with nothing ticked: the card stays as it was.
      void this.sayTo(msg.chatId, undefined, [{ text: '没有选择任何一项，请勾选后再提交，或直接回复序号。' }]);
      return undefined;
    }
    return { text: values.join('、'), values, card, info, update };
  }

  /** Says something that answers no callback (after a tap): pushed into the chat, queued if that fails. */
  private async sayTo(chatId: string, forUser: string | undefined, replies: Reply[]): Promise<void> {
    const target: PushTarget = chatId === forUser || forUser === undefined ? this.targetOf(chatId) : { kind: 'chat', id: chatId };
    for (const r of replies) {
      const parts = this.partsOf(renderReply(r), r);
      for (let i = 0; i < parts.length; i++) {
        try {
          await parts[i]!(chatId, forUser ?? (target.kind === 'user' ? target.id : undefined));
        } catch (e) {
          await this.undelivered(target, r, i, e);
          break;
        }
      }
    }
  }

  private targetOf(chatId: string): PushTarget {
    // WeCom addresses a private chat by the user's id, and the bot only knows groups by chatid.
    return this.opts.knownGroupIds && [...this.opts.knownGroupIds].includes(chatId) ? { kind: 'chat', id: chatId } : { kind: 'user', id: chatId };
  }

  private async undelivered(target: PushTarget, reply: Reply, partsSent: number, e: unknown): Promise<void> {
    const f = failure(e);
    this.log.warn({ to: target.kind, errcode: f.errcode, err: f.message, partsSent }, 'answer not delivered; queued as a push');
    await this.opts.fallback?.(target, reply, partsSent);
  }

  private async answer(frame: WsFrame, t: Translated, replies: Reply[]): Promise<void> {
    const { chatId, userId, chatType } = t.msg;
    const target: PushTarget = chatType === 'group' ? { kind: 'chat', id: chatId } : { kind: 'user', id: userId };
    const forUser = chatType === 'group' ? userId : undefined;
    const last = [...replies].reverse().find((r) => r.text.trim() !== '');
    await this.noteTurn(chatId, userId, last);
    let sent = 0;
    let broken = false;
    // Once one frame failed, the rest of this answer goes through the outbox, in order.
    const deliver = async (r: Reply, parts: Array<() => Promise<unknown>>): Promise<void> => {
      for (let i = 0; i < parts.length; i++) {
        if (broken) return this.undelivered(target, r, i, new Error('earlier part not delivered'));
        try {
          await parts[i]!();
          sent++;
        } catch (e) {
          broken = true;
          return this.undelivered(target, r, i, e);
        }
      }
    };
    if (t.route === 'welcome') {
      await this.welcome(frame, t, replies, target);
      return;
    }
    for (const r of replies) {
      const rendered = renderReply(r);
      const pushed = this.partsOf(rendered, r);
      const parts: Array<() => Promise<unknown>> = rendered.markdown.map((md, i) =>
        t.route === 'respond'
          ? () => this.client.replyStream(frame, streamId(), md, true)
          : // A tap's req_id only takes a card update; the answer is pushed into the chat.
            () => pushed[i]!(chatId, forUser),
      );
      for (let i = rendered.markdown.length; i < pushed.length; i++) {
        const isCard = i === pushed.length - 1 && rendered.card !== undefined;
        if (isCard && t.route === 'respond') {
          const { card, info } = rendered;
          parts.push(async () => {
            await this.rememberCard(card!.task_id!, info!, chatId, forUser);
            return this.client.replyTemplateCard(frame, card!);
          });
        } else parts.push(() => pushed[i]!(chatId, forUser));
      }
      await deliver(r, parts);
    }
    if (sent && t.route === 'respond') this.opts.pacer?.noteSent(chatId, this.clock.now(), sent);
  }

  /**
   * enter_chat takes one welcome frame, within 5 s, and the chat cannot take pushes until the
   * person writes. A plain welcome becomes a short card with quick actions; when messages were
   * waiting for this person, the welcome is text carrying them.
   */
  private async welcome(frame: WsFrame, t: Translated, replies: Reply[], target: PushTarget): Promise<void> {
    const { chatId } = t.msg;
    const [greeting, ...more] = replies;
    if (!greeting) return;
    try {
      if (more.length === 0 && !greeting.file) {
        const { card, info } = welcomeCard(greeting, newTaskId());
        await this.rememberCard(card.task_id!, info, chatId, undefined, true);
        await this.client.replyWelcome(frame, { msgtype: 'template_card', template_card: card });
        return;
      }
      const w = greeting.welcome;
      const first = w
        ? [w.greeting, ...(w.pending ? [`您有一份未完成的个案登记：${w.pending}（回复「继续」接着填写）`] : [])].join('\n')
        : (greeting.text.split('\n').find((l) => l.trim() !== '') ?? '');
      const [head, ...rest] = splitContent([first, ...more.map(replyMarkdown)].join('\n\n'));
      await this.client.replyWelcome(frame, { msgtype: 'text', text: { content: head ?? first } });
      if (rest.length) await this.opts.fallback?.(target, { text: rest.join('\n') }, 0);
    } catch (e) {
      for (const r of replies.slice(1)) await this.undelivered(target, r, 0, e);
    }
  }

  private turnOf(chatId: string, userId: string): Promise<ConversationTurn | undefined> {
    return this.cards.turn(chatId, userId);
  }

  /** The bot answered this person in this conversation: their cards of other questions are now stale. */
  private async noteTurn(chatId: string, userId: string, reply: Reply | undefined, keepQuestion = false): Promise<void> {
    await this.cards.noteTurn(chatId, userId, reply ?? null, this.clock.now(), keepQuestion);
  }

  private async rememberCard(taskId: string, info: ChoiceCardInfo, chatId: string, forUser: string | undefined, standing = false): Promise<void> {
    const who = forUser ?? chatId;
    const now = this.clock.now();
    const turn = (await this.turnOf(chatId, who))?.turn ?? 0;
    const card: SentCard = {
      taskId,
      chatId,
      userId: who,
      forUser: forUser ?? null,
      turn,
      key: info.key ?? null,
      standing: standing || info.standing === true,
      body: info,
      createdAt: now,
      expiresAt: new Date(now.getTime() + (this.opts.cardLifeMs ?? CARD_LIFE_MS)),
    };
    this.cards.save(card);
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
