import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A loopback stand-in for WeCom's bot long-connection endpoint (wss://openws.work.weixin.qq.com),
 * speaking the frame shapes of the protocol (reference §1.2): it checks `aibot_subscribe`
 * credentials and acks with an errcode, acks `ping`, pushes `aibot_msg_callback` /
 * `aibot_event_callback` frames, acks every reply/push command, and can drop the connection or
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
const ACKED = new Set(['aibot_respond_msg', 'aibot_send_msg', 'aibot_respond_welcome_msg', 'aibot_respond_update_msg']);

/** An errcode the real service would use for a refused subscribe (bad BotID/Secret). */
export const FAKE_AUTH_ERRCODE = 40001;

export interface FakeServerOptions {
  botId: string;
  secret: string;
  /** Return an errcode to refuse a reply/push frame (e.g. 846605), or undefined to accept it. */
  refuse?: (frame: Frame) => number | undefined;
  /** Do not ack these frames at all (the bot's ack wait then times out). */
  silent?: (frame: Frame) => boolean;
  /** Called with every frame the bot sends (benchmarks time replies with it). */
  observe?: (frame: Frame) => void;
  /** Keep every frame in `frames` (default true); a long benchmark turns it off. */
  keepFrames?: boolean;
}

interface Waiter {
  pred: (f: Frame) => boolean;
  resolve: (f: Frame) => void;
}

export class FakeWecomServer {
  /** Every frame the bot sent, in order, over all connections. */
  readonly frames: Frame[] = [];
  /** Sockets that ever connected (authenticated or not). */
  connections = 0;
  subscribes = 0;
  private current: WebSocket | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly authWaiters: Array<() => void> = [];
  private reqSeq = 0;
  private held: Array<() => void> | undefined;

  private constructor(
    private readonly wss: WebSocketServer,
    readonly opts: FakeServerOptions,
  ) {
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
      return refused ? ack(refused, 'refused by fake server') : ack(0, 'ok');
    }
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

  private push(cmd: 'aibot_msg_callback' | 'aibot_event_callback', body: object): string {
    if (!this.current) throw new Error('fake WeCom server: no bot connected');
    const reqId = `req_${++this.reqSeq}_${randomBytes(3).toString('hex')}`;
    this.current.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
    return reqId;
  }

  /** Deliver a message callback; returns its req_id. */
  deliver(body: object): string {
    return this.push('aibot_msg_callback', body);
  }

  deliverEvent(body: object): string {
    return this.push('aibot_event_callback', body);
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
export const cardClick = (who: Who, taskId: string, eventKey: string) => ({
  ...envelope(who),
  create_time: Math.floor(Date.now() / 1000),
  msgtype: 'event',
  event: {
    eventtype: 'template_card_event',
    template_card_event: { card_type: 'button_interaction', event_key: eventKey, task_id: taskId },
  },
});
