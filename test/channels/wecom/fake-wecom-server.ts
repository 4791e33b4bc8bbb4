import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A loopback stand-in for WeCom's bot long-connection endpoint (wss://openws.work.weixin.qq.com).
 * It speaks the frame shapes the official SDK sends and expects, and it holds the bot to the
 * rules WeCom enforces, so a test that passes here means the bot would be accepted there:
 *
 * - a reply must use the req_id of a callback received on the same connection, with the one
 *   command that callback accepts (message → aibot_respond_msg, enter_chat →
 *   aibot_respond_welcome_msg, template_card_event → aibot_respond_update_msg); welcome and card
 *   update only within 5 s and once; a stream only until it finished and within 6 minutes;
 * - aibot_send_msg only into a conversation where someone wrote to the bot (a message callback,
 *   not an enter_chat);
 * - markdown and stream content non-empty and at most 20480 UTF-8 bytes;
 * - template cards with the fields their card_type requires, within the documented counts, and
 *   a task_id of [0-9A-Za-z_-@] (≤ 128 bytes) never used before by this bot;
 * - at most 30 messages a minute and 1000 an hour per conversation, replies and pushes together;
 * - media uploads in three steps (init → chunks → finish), then a file message by media_id.
 *
 * Refusals are acked with the errcode WeCom uses where one is known. It also checks
 * `aibot_subscribe` credentials, acks `ping`, pushes callbacks, and can drop the connection or
 * send `disconnected_event` as when another instance subscribes. Also used by the benchmarks.
 */

export interface Frame {
  cmd?: string;
  headers: { req_id: string };
  body?: Record<string, unknown> & { [k: string]: any };
  errcode?: number;
  errmsg?: string;
}

/** Commands the bot sends that WeCom acknowledges with `{ headers, errcode, errmsg }`. */
const ACKED = new Set([
  'aibot_respond_msg',
  'aibot_send_msg',
  'aibot_respond_welcome_msg',
  'aibot_respond_update_msg',
  'aibot_upload_media_init',
  'aibot_upload_media_chunk',
  'aibot_upload_media_finish',
]);

/** An errcode the real service would use for a refused subscribe (bad BotID/Secret). */
export const FAKE_AUTH_ERRCODE = 40001;

/** The errcodes the strict server refuses with. */
export const WECOM_ERR = {
  invalidReqId: 846605,
  streamExpired: 846608,
  invalidParameter: 40035,
  emptyContent: 44004,
  contentTooLarge: 45002,
  rateLimited: 45009,
  invalidMsgtype: 40008,
  invalidMediaId: 40007,
  /** The conversation never wrote to the bot (or the chatid is wrong). */
  invalidChat: 93006,
} as const;

export const MAX_CONTENT_BYTES = 20480;
const REPLY_WINDOW_MS = 24 * 3_600_000;
const STREAM_WINDOW_MS = 6 * 60_000;
const EVENT_WINDOW_MS = 5_000;

export interface FakeServerOptions {
  botId: string;
  secret: string;
  /** Return an errcode to refuse a reply/push frame (e.g. 846605), or undefined to let the rules decide. */
  refuse?: (frame: Frame) => number | undefined;
  /** Do not ack these frames at all (the bot's ack wait then times out). */
  silent?: (frame: Frame) => boolean;
  /** Called with every frame the bot sent (benchmarks time replies with it). */
  observe?: (frame: Frame) => void;
  /** Keep every frame in `frames` (default true); a long benchmark turns it off. */
  keepFrames?: boolean;
  /** Conversations that wrote to the bot before this server started (WeCom remembers them). */
  reachable?: Iterable<string>;
  /** Per-conversation limits; default WeCom's 30 a minute and 1000 an hour. */
  perMinute?: number;
  perHour?: number;
  /** Milliseconds a welcome / card update may follow its event; default 5000. */
  eventWindowMs?: number;
  /** The wall clock the windows are measured on; tests may move it. */
  now?: () => number;
}

interface Waiter {
  pred: (f: Frame) => boolean;
  resolve: (f: Frame) => void;
}

/** A callback the server sent, as it judges replies to it. */
interface Callback {
  ws: WebSocket;
  kind: 'message' | 'enter_chat' | 'card_event' | 'other';
  chatId: string;
  userId: string;
  taskId?: string;
  at: number;
  answered: boolean;
  streams: Map<string, { first: number; finished: boolean }>;
}

/** A refusal the server sent, for tests to assert on. */
export interface Refusal {
  cmd: string;
  errcode: number;
  why: string;
}

const TASK_ID = /^[0-9A-Za-z_\-@]{1,128}$/;
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

export class FakeWecomServer {
  /** Every frame the bot sent, in order, over all connections. */
  readonly frames: Frame[] = [];
  /** Every frame the server refused, with why. */
  readonly refusals: Refusal[] = [];
  /** Sockets that ever connected (authenticated or not). */
  connections = 0;
  subscribes = 0;
  /** Files the bot uploaded, by media_id. */
  readonly media = new Map<string, { type: string; filename: string; data: Buffer }>();
  private current: WebSocket | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly authWaiters: Array<() => void> = [];
  private reqSeq = 0;
  private held: Array<() => void> | undefined;
  private readonly callbacks = new Map<string, Callback>();
  private readonly reachableChats: Set<string>;
  private readonly taskIds = new Set<string>();
  private readonly sentTimes = new Map<string, number[]>();
  private readonly uploads = new Map<string, { type: string; filename: string; total: number; chunks: Map<number, Buffer> }>();
  private readonly now: () => number;
  private readonly refusedFrames: Frame[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly opts: FakeServerOptions,
  ) {
    this.reachableChats = new Set(opts.reachable ?? []);
    this.now = opts.now ?? Date.now;
    wss.on('connection', (ws) => this.onConnection(ws));
  }

  static async start(opts: FakeServerOptions): Promise<FakeWecomServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new FakeWecomServer(wss, opts);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  get online(): boolean {
    return this.current !== undefined;
  }

  /** Whether the bot may push into this conversation. */
  isReachable(chatId: string): boolean {
    return this.reachableChats.has(chatId);
  }

  private onConnection(ws: WebSocket): void {
    this.connections++;
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (this.opts.keepFrames !== false) this.frames.push(frame);
      this.onFrame(ws, frame);
      this.opts.observe?.(frame);
      for (const w of [...this.waiters]) {
        if (w.pred(frame)) {
          this.waiters.delete(w);
          w.resolve(frame);
        }
      }
    });
    ws.on('close', () => {
      if (this.current === ws) this.current = undefined;
    });
  }

  private onFrame(ws: WebSocket, frame: Frame): void {
    const ack = (errcode: number, errmsg: string, body?: unknown): void =>
      ws.send(JSON.stringify({ headers: { req_id: frame.headers.req_id }, errcode, errmsg, ...(body ? { body } : {}) }));
    if (frame.cmd === 'aibot_subscribe') {
      this.subscribes++;
      if (this.held) {
        this.held.push(() => {
          if (ws.readyState === ws.OPEN) this.onFrame(ws, { ...frame, cmd: 'aibot_subscribe_released' });
        });
        return;
      }
    }
    if (frame.cmd === 'aibot_subscribe' || frame.cmd === 'aibot_subscribe_released') {
      const ok = frame.body?.bot_id === this.opts.botId && frame.body?.secret === this.opts.secret;
      if (!ok) return ack(FAKE_AUTH_ERRCODE, 'invalid credential');
      // One live connection per bot: a new subscribe pushes the old one out.
      if (this.current && this.current !== ws) this.kick(this.current);
      this.current = ws;
      ack(0, 'ok');
      this.authWaiters.splice(0).forEach((r) => r());
      return;
    }
    if (frame.cmd === 'ping') return ack(0, 'ok');
    if (frame.cmd && ACKED.has(frame.cmd)) {
      if (this.opts.silent?.(frame)) return;
      const refused = this.opts.refuse?.(frame);
      if (refused) {
        this.refusedFrames.push(frame);
        return ack(refused, 'refused by fake server');
      }
      const verdict = this.judge(ws, frame);
      if (verdict && 'errcode' in verdict) {
        this.refusedFrames.push(frame);
        this.refusals.push({ cmd: frame.cmd, errcode: verdict.errcode, why: verdict.why });
        return ack(verdict.errcode, verdict.why);
      }
      return ack(0, 'ok', verdict?.body);
    }
  }

  /** WeCom's rules for one frame: undefined (or a body to ack with) when accepted. */
  private judge(ws: WebSocket, frame: Frame): { errcode: number; why: string } | { body: unknown } | undefined {
    const body = frame.body ?? {};
    const no = (errcode: number, why: string) => ({ errcode, why });
    const cmd = frame.cmd!;
    if (cmd.startsWith('aibot_upload_media_')) return this.upload(cmd, body);
    const now = this.now();
    if (cmd === 'aibot_send_msg') {
      const chatId = String(body.chatid ?? '');
      if (!this.reachableChats.has(chatId)) return no(WECOM_ERR.invalidChat, `chat ${chatId} never wrote to the bot`);
      const bad = this.checkMessage(body, ['markdown', 'template_card', 'file', 'image', 'voice', 'video']);
      if (bad) return bad;
      return this.count(chatId, now);
    }
    const cb = this.callbacks.get(frame.headers.req_id);
    if (!cb || cb.ws !== ws) return no(WECOM_ERR.invalidReqId, 'invalid req_id');
    if (cmd === 'aibot_respond_msg') {
      if (cb.kind !== 'message') return no(WECOM_ERR.invalidReqId, `invalid req_id: ${cb.kind} does not take aibot_respond_msg`);
      if (now - cb.at > REPLY_WINDOW_MS) return no(WECOM_ERR.invalidReqId, 'reply window over');
      if (body.msgtype === 'stream') {
        const id = String(body.stream?.id ?? '');
        if (!id) return no(WECOM_ERR.invalidParameter, 'stream.id missing');
        const s = cb.streams.get(id);
        if (s?.finished) return no(WECOM_ERR.streamExpired, 'stream already finished');
        if (s && now - s.first > STREAM_WINDOW_MS) return no(WECOM_ERR.streamExpired, 'stream message update expired');
        const content = String(body.stream?.content ?? '');
        if (bytes(content) > MAX_CONTENT_BYTES) return no(WECOM_ERR.contentTooLarge, 'content too large');
        if (body.stream?.finish && content.trim() === '') return no(WECOM_ERR.emptyContent, 'empty content');
        if (!s) {
          const rate = this.count(cb.chatId, now);
          if (rate) return rate;
          cb.streams.set(id, { first: now, finished: Boolean(body.stream?.finish) });
        } else if (body.stream?.finish) s.finished = true;
        return undefined;
      }
      const bad = this.checkMessage(body, ['template_card', 'file', 'image', 'voice', 'video']);
      if (bad) return bad;
      return this.count(cb.chatId, now);
    }
    const window = this.opts.eventWindowMs ?? EVENT_WINDOW_MS;
    if (cmd === 'aibot_respond_welcome_msg') {
      if (cb.kind !== 'enter_chat') return no(WECOM_ERR.invalidReqId, `invalid req_id: ${cb.kind} does not take a welcome`);
      if (cb.answered) return no(WECOM_ERR.invalidReqId, 'welcome already sent');
      if (now - cb.at > window) return no(WECOM_ERR.invalidReqId, 'welcome window over');
      const bad = this.checkMessage(body, ['text', 'template_card']);
      if (bad) return bad;
      cb.answered = true;
      return undefined;
    }
    if (cmd === 'aibot_respond_update_msg') {
      if (cb.kind !== 'card_event') return no(WECOM_ERR.invalidReqId, `invalid req_id: ${cb.kind} does not take a card update`);
      if (cb.answered) return no(WECOM_ERR.invalidReqId, 'card already updated');
      if (now - cb.at > window) return no(WECOM_ERR.invalidReqId, 'update window over');
      if (body.response_type !== 'update_template_card') return no(WECOM_ERR.invalidParameter, 'response_type');
      const card = body.template_card as Record<string, any> | undefined;
      if (!card) return no(WECOM_ERR.invalidParameter, 'template_card missing');
      if (card.task_id !== cb.taskId) return no(WECOM_ERR.invalidParameter, 'task_id differs from the clicked card');
      const bad = checkCard(card);
      if (bad) return no(WECOM_ERR.invalidParameter, bad);
      cb.answered = true;
      return undefined;
    }
    return no(WECOM_ERR.invalidParameter, `unknown command ${cmd}`);
  }

  /** A markdown / text / card / media body, as aibot_send_msg and the replies take them. */
  private checkMessage(body: Record<string, any>, allowed: string[]): { errcode: number; why: string } | undefined {
    const t = String(body.msgtype ?? '');
    if (!allowed.includes(t)) return { errcode: WECOM_ERR.invalidMsgtype, why: `msgtype ${t} not allowed here` };
    if (t === 'markdown' || t === 'text') {
      const content = String(body[t]?.content ?? '');
      if (content.trim() === '') return { errcode: WECOM_ERR.emptyContent, why: 'empty content' };
      if (bytes(content) > MAX_CONTENT_BYTES) return { errcode: WECOM_ERR.contentTooLarge, why: 'content too large' };
      return undefined;
    }
    if (t === 'template_card') {
      const card = body.template_card as Record<string, any> | undefined;
      const bad = card ? checkCard(card) : 'template_card missing';
      if (bad) return { errcode: WECOM_ERR.invalidParameter, why: bad };
      if (card!.task_id !== undefined) {
        if (this.taskIds.has(card!.task_id)) return { errcode: WECOM_ERR.invalidParameter, why: `task_id ${card!.task_id} used before` };
        this.taskIds.add(card!.task_id);
      }
      return undefined;
    }
    const media = String(body[t]?.media_id ?? '');
    if (!this.media.has(media)) return { errcode: WECOM_ERR.invalidMediaId, why: 'unknown media_id' };
    return undefined;
  }

  private count(chatId: string, now: number): { errcode: number; why: string } | undefined {
    const times = (this.sentTimes.get(chatId) ?? []).filter((t) => t > now - 3_600_000);
    const lastMinute = times.filter((t) => t > now - 60_000).length;
    if (lastMinute >= (this.opts.perMinute ?? 30) || times.length >= (this.opts.perHour ?? 1000)) {
      this.sentTimes.set(chatId, times);
      return { errcode: WECOM_ERR.rateLimited, why: `rate limit for ${chatId}` };
    }
    times.push(now);
    this.sentTimes.set(chatId, times);
    return undefined;
  }

  private upload(cmd: string, body: Record<string, any>): { errcode: number; why: string } | { body: unknown } {
    if (cmd === 'aibot_upload_media_init') {
      const total = Number(body.total_chunks);
      if (!body.filename || !(total >= 1 && total <= 100)) return { errcode: WECOM_ERR.invalidParameter, why: 'bad upload init' };
      const id = `up_${++this.reqSeq}`;
      this.uploads.set(id, { type: String(body.type), filename: String(body.filename), total, chunks: new Map() });
      return { body: { upload_id: id } };
    }
    const up = this.uploads.get(String(body.upload_id));
    if (!up) return { errcode: WECOM_ERR.invalidParameter, why: 'unknown upload_id' };
    if (cmd === 'aibot_upload_media_chunk') {
      const data = Buffer.from(String(body.base64_data ?? ''), 'base64');
      if (data.length > 512 * 1024) return { errcode: WECOM_ERR.invalidParameter, why: 'chunk over 512 KB' };
      up.chunks.set(Number(body.chunk_index), data);
      return { body: {} };
    }
    if (up.chunks.size !== up.total) return { errcode: WECOM_ERR.invalidParameter, why: 'chunks missing' };
    const data = Buffer.concat([...up.chunks.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d));
    const mediaId = `media_${++this.reqSeq}`;
    this.media.set(mediaId, { type: up.type, filename: up.filename, data });
    this.uploads.delete(String(body.upload_id));
    return { body: { type: up.type, media_id: mediaId, created_at: String(Math.floor(this.now() / 1000)) } };
  }

  /** Leave subscribe frames unanswered (the socket is open, the bot not yet authenticated). */
  hold(): void {
    this.held ??= [];
  }

  /** Answer the held subscribe frames. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    held.forEach((answer) => answer());
  }

  /** Resolves when a bot has subscribed successfully (now or later). */
  waitAuthenticated(): Promise<void> {
    if (this.current) return Promise.resolve();
    return new Promise((resolve) => this.authWaiters.push(resolve));
  }

  /** The first frame (already received or future) that matches. */
  waitFrame(pred: (f: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const have = this.frames.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error('fake WeCom server: expected frame did not arrive'));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Frames the bot sent with this req_id (its replies to one callback). */
  repliesTo(reqId: string): Frame[] {
    return this.frames.filter((f) => f.cmd !== undefined && f.cmd !== 'ping' && f.headers.req_id === reqId);
  }

  sent(cmd: string): Frame[] {
    return this.frames.filter((f) => f.cmd === cmd);
  }

  /** Frames the server accepted (the refused ones never reached anyone). */
  accepted(cmd: string): Frame[] {
    const refused = new Set(this.refusedFrames);
    return this.sent(cmd).filter((f) => !refused.has(f));
  }

  private push(cmd: 'aibot_msg_callback' | 'aibot_event_callback', body: Record<string, any>): string {
    if (!this.current) throw new Error('fake WeCom server: no bot connected');
    const reqId = `req_${++this.reqSeq}_${randomBytes(3).toString('hex')}`;
    const userId = String(body.from?.userid ?? '');
    const chatId = body.chattype === 'group' ? String(body.chatid ?? '') : userId;
    const ev = body.event as Record<string, any> | undefined;
    const kind: Callback['kind'] =
      cmd === 'aibot_msg_callback' ? 'message' : ev?.eventtype === 'enter_chat' ? 'enter_chat' : ev?.eventtype === 'template_card_event' ? 'card_event' : 'other';
    this.callbacks.set(reqId, {
      ws: this.current,
      kind,
      chatId,
      userId,
      ...(kind === 'card_event' ? { taskId: ev?.template_card_event?.task_id } : {}),
      at: this.now(),
      answered: false,
      streams: new Map(),
    });
    // Only a message makes a conversation pushable; opening the chat does not.
    if (kind === 'message') this.reachableChats.add(chatId);
    this.current.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return reqId;
  }

  /** Deliver a message callback; returns its req_id. */
  deliver(body: object): string {
    return this.push('aibot_msg_callback', body as Record<string, any>);
  }

  deliverEvent(body: object): string {
    return this.push('aibot_event_callback', body as Record<string, any>);
  }

  /** Cut the connection without a goodbye, as a network failure would. */
  drop(): void {
    this.current?.terminate();
    this.current = undefined;
  }

  /** What WeCom does when another connection subscribes with the same bot. */
  kick(ws: WebSocket | undefined = this.current): void {
    if (!ws) return;
    ws.send(
      JSON.stringify({
        cmd: 'aibot_event_callback',
        headers: { req_id: `req_kick_${++this.reqSeq}` },
        body: {
          msgid: `kick_${this.reqSeq}`,
          create_time: Math.floor(Date.now() / 1000),
          aibotid: this.opts.botId,
          from: { userid: '' },
          msgtype: 'event',
          event: { eventtype: 'disconnected_event' },
        },
      }),
    );
    ws.close();
    if (this.current === ws) this.current = undefined;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

const CARD_TYPES = new Set(['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction']);

/** The fields a card_type requires and the counts the SDK's types document; a reason when wrong. */
export function checkCard(card: Record<string, any>): string | undefined {
  const type = String(card.card_type ?? '');
  if (!CARD_TYPES.has(type)) return `card_type ${type}`;
  const interactive = type.endsWith('_interaction');
  if (card.task_id !== undefined || interactive) {
    if (typeof card.task_id !== 'string' || !TASK_ID.test(card.task_id)) return `task_id ${String(card.task_id)}`;
  }
  const title = card.main_title?.title;
  if (interactive && !title) return 'main_title.title missing';
  if (type === 'text_notice' && !title && !card.sub_title_text) return 'text_notice needs main_title.title or sub_title_text';
  if ((type === 'text_notice' || type === 'news_notice') && !card.card_action) return 'card_action missing';
  const uniqueKeys = (keys: string[], max: number): boolean => new Set(keys).size === keys.length && keys.every((k) => k && bytes(k) <= max);
  if (card.jump_list && !(Array.isArray(card.jump_list) && card.jump_list.length <= 3)) return 'jump_list over 3';
  if (card.horizontal_content_list && !(card.horizontal_content_list.length <= 6)) return 'horizontal_content_list over 6';
  if (card.quote_area) {
    const q = card.quote_area;
    if (!q.title && !q.quote_text) return 'quote_area needs title or quote_text';
    if (q.type === 1 && !q.url) return 'quote_area type 1 needs url';
    if (q.type === 2 && !q.appid) return 'quote_area type 2 needs appid';
  }
  if (type === 'button_interaction') {
    const list = card.button_list as Array<{ text?: string; key?: string }> | undefined;
    if (!Array.isArray(list) || list.length < 1 || list.length > 6) return 'button_list must hold 1–6 buttons';
    if (list.some((b) => !b.text)) return 'button text missing';
    if (!uniqueKeys(list.map((b) => String(b.key ?? '')), 1024)) return 'button keys must be unique, 1–1024 bytes';
  }
  const options = (list: unknown, max: number): string | undefined => {
    if (!Array.isArray(list) || list.length < 1 || list.length > max) return `option_list must hold 1–${max} options`;
    if (list.some((o: { text?: string }) => !o.text)) return 'option text missing';
    if (!uniqueKeys(list.map((o: { id?: string }) => String(o.id ?? '')), 128)) return 'option ids must be unique, 1–128 bytes';
    return undefined;
  };
  if (type === 'vote_interaction') {
    const cb = card.checkbox;
    if (!cb?.question_key) return 'checkbox.question_key missing';
    if (cb.mode !== undefined && cb.mode !== 0 && cb.mode !== 1) return 'checkbox.mode';
    const bad = options(cb.option_list, 20);
    if (bad) return bad;
  }
  if (type === 'multiple_interaction') {
    const list = card.select_list;
    if (!Array.isArray(list) || list.length < 1 || list.length > 3) return 'select_list must hold 1–3 selectors';
    if (!uniqueKeys(list.map((s: { question_key?: string }) => String(s.question_key ?? '')), 1024)) return 'question_key';
    for (const s of list) {
      const bad = options(s.option_list, 10);
      if (bad) return bad;
    }
  }
  if (type === 'vote_interaction' || type === 'multiple_interaction') {
    if (!card.submit_button?.text || !card.submit_button?.key) return 'submit_button missing';
  }
  return undefined;
}

// ---- Callback bodies as WeCom sends them (reference §1.0.1, §1.0.2, §2.4) ----

let seq = 0;
const nextMsgId = (): string => `msg_${Date.now().toString(36)}_${++seq}`;

interface Who {
  userid: string;
  /** Set for a group chat. */
  chatid?: string;
  msgid?: string;
}

function envelope(who: Who, aibotid = 'BOT') {
  return {
    msgid: who.msgid ?? nextMsgId(),
    aibotid,
    ...(who.chatid ? { chatid: who.chatid, chattype: 'group' } : { chattype: 'single' }),
    from: { userid: who.userid },
    response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=fake',
  };
}

export const textMsg = (who: Who, content: string) => ({ ...envelope(who), msgtype: 'text', text: { content } });
export const voiceMsg = (who: Who, content: string) => ({ ...envelope(who), msgtype: 'voice', voice: { content } });
export const imageMsg = (who: Who) => ({
  ...envelope(who),
  msgtype: 'image',
  image: { url: 'https://example.invalid/img', aeskey: 'a2V5' },
});
export const enterChat = (who: Who) => ({
  ...envelope(who),
  create_time: Math.floor(Date.now() / 1000),
  msgtype: 'event',
  event: { eventtype: 'enter_chat' },
});
/** A button tap, nested under event.template_card_event as WeCom sends it. */
export const cardClick = (who: Who, taskId: string, eventKey: string, cardType = 'button_interaction') => ({
  ...envelope(who),
  create_time: Math.floor(Date.now() / 1000),
  msgtype: 'event',
  event: {
    eventtype: 'template_card_event',
    template_card_event: { card_type: cardType, event_key: eventKey, task_id: taskId },
  },
});

/** A vote / multiple-interaction submit: the submit button's key and the ticked option ids per question. */
export const cardSubmit = (who: Who, card: { task_id: string; card_type: string; submit_button: { key: string } }, picks: Record<string, string[]>) => ({
  ...envelope(who),
  create_time: Math.floor(Date.now() / 1000),
  msgtype: 'event',
  event: {
    eventtype: 'template_card_event',
    template_card_event: {
      card_type: card.card_type,
      event_key: card.submit_button.key,
      task_id: card.task_id,
      selected_items: {
        selected_item: Object.entries(picks).map(([question_key, ids]) => ({ question_key, option_ids: { option_id: ids } })),
      },
    },
  },
});

/** A text message quoting an earlier one (the bot's reminder, say). */
export const quotedText = (who: Who, content: string, quoted: string) => ({
  ...textMsg(who, content),
  quote: { msgtype: 'text', text: { content: quoted } },
});

/** Text with a picture, as WeCom sends a mixed message. */
export const mixedMsg = (who: Who, text: string) => ({
  ...envelope(who),
  msgtype: 'mixed',
  mixed: {
    msg_item: [
      { msgtype: 'text', text: { content: text } },
      { msgtype: 'image', image: { url: 'https://example.invalid/img', aeskey: 'a2V5' } },
    ],
  },
});
