import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the Telegram Bot API (https://api.telegram.org/bot<token>/<method>),
 * enough for a long-polling bot: getMe, setWebhook (then `postWebhook` plays Telegram), getUpdates (held open up to `maxHoldMs` while there is
 * nothing to deliver, with offset semantics: an update is dropped once a later call's offset
 * passes it), deleteWebhook, sendMessage, answerCallbackQuery and editMessageReplyMarkup. Every
 * response is `{ ok, result }` or `{ ok: false, error_code, description }`; every call is recorded.
 */

export interface ApiCall {
  method: string;
  body: Record<string, any>;
}

export interface FakeTelegramOptions {
  token: string;
  bot?: { id: number; username: string };
  /** Longest time a getUpdates call is held open (the bot asks for 30 s). Default 300 ms. */
  maxHoldMs?: number;
  /** Return [error_code, description] to refuse a call, or undefined to accept it. */
  refuse?: (call: ApiCall) => [number, string] | undefined;
}

interface Waiter {
  pred: (c: ApiCall) => boolean;
  resolve: (c: ApiCall) => void;
}

export interface FakeUser {
  id: number;
  name?: string;
}

export class FakeTelegramServer {
  /** Every successful API call the bot made, in order. */
  readonly calls: ApiCall[] = [];
  readonly bot: { id: number; username: string };
  private readonly updates: Array<Record<string, any> & { update_id: number }> = [];
  private readonly pollers = new Set<() => void>();
  private readonly waiters = new Set<Waiter>();
  private updateSeq = 100;
  private messageSeq = 5000;
  /** Highest update_id confirmed by an offset. */
  confirmed = 0;
  getMeCalls = 0;
  /** Set by setWebhook. */
  webhook: { url: string; secret: string | undefined } | undefined;

  private constructor(
    private readonly server: Server,
    readonly opts: FakeTelegramOptions,
  ) {
    this.bot = opts.bot ?? { id: 7000001, username: 'humiao_test_bot' };
    server.on('request', (req, res) => void this.onRequest(req, res));
  }

  static async start(opts: FakeTelegramOptions): Promise<FakeTelegramServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeTelegramServer(server, opts);
  }

  /** grammY's `apiRoot`. */
  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const p of this.pollers) p();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Queue an update (update_id assigned here); returns it. */
  deliver(update: Record<string, any>): Record<string, any> & { update_id: number } {
    const u = { ...update, update_id: ++this.updateSeq };
    this.updates.push(u);
    for (const p of [...this.pollers]) p();
    return u;
  }

  /**
   * The same message again, as after a restart that came before Telegram learnt the update was
   * handled. It gets a fresh update_id, so only this update comes again and not the ones after it.
   */
  redeliver(update: Record<string, any> & { update_id: number }): void {
    const { update_id: _, ...rest } = update;
    this.deliver(rest);
  }

  /**
   * A text message from `from`, privately or (with `groupId`) in a group. Mentions of the bot in
   * the text get their entity, as Telegram's clients add it; `replyTo` makes it a reply to one of
   * the bot's messages.
   */
  text(from: FakeUser, text: string, opts: { groupId?: number; replyTo?: number } = {}): Record<string, any> & { update_id: number } {
    const at = `@${this.bot.username}`;
    const entities: Array<Record<string, unknown>> = [];
    for (let i = text.indexOf(at); i >= 0; i = text.indexOf(at, i + 1)) entities.push({ type: 'mention', offset: i, length: at.length });
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    if (cmd) entities.unshift({ type: 'bot_command', offset: 0, length: cmd[0].length });
    return this.deliver({
      message: {
        ...this.envelope(from, opts.groupId),
        text,
        ...(entities.length ? { entities } : {}),
        ...(opts.replyTo !== undefined ? { reply_to_message: this.sentMessage(opts.replyTo) } : {}),
      },
    });
  }

  /** A photo (no text), optionally with a caption. */
  photo(from: FakeUser, opts: { groupId?: number; caption?: string } = {}): Record<string, any> & { update_id: number } {
    const at = `@${this.bot.username}`;
    const i = opts.caption?.indexOf(at) ?? -1;
    return this.deliver({
      message: {
        ...this.envelope(from, opts.groupId),
        photo: [{ file_id: 'AgAD', file_unique_id: 'u1', width: 90, height: 90 }],
        ...(opts.caption !== undefined ? { caption: opts.caption } : {}),
        ...(i >= 0 ? { caption_entities: [{ type: 'mention', offset: i, length: at.length }] } : {}),
      },
    });
  }

  /** A click on a button of one of the bot's messages. */
  click(from: FakeUser, messageId: number, data: string): Record<string, any> & { update_id: number } {
    const message = this.sentMessage(messageId);
    return this.deliver({
      callback_query: { id: `q${++this.updateSeq}`, from: this.user(from), chat_instance: 'ci', message, data },
    });
  }

  /** Post an update to the registered webhook, as Telegram does; resolves with the HTTP status. */
  async postWebhook(update: Record<string, any>, secret = this.webhook?.secret): Promise<number> {
    if (!this.webhook) throw new Error('no webhook registered');
    const res = await fetch(this.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** Calls of one method, in order. */
  sent(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** sendMessage calls into one chat. */
  messagesTo(chatId: number | string): ApiCall[] {
    return this.sent('sendMessage').filter((c) => String(c.body.chat_id) === String(chatId));
  }

  /** The next (or an already recorded) call matching `pred`. */
  waitCall(pred: (c: ApiCall) => boolean, timeoutMs = 10_000): Promise<ApiCall> {
    const found = this.calls.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w: Waiter = { pred, resolve };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error('no matching Bot API call in time'));
      }, timeoutMs);
      w.resolve = (c) => {
        clearTimeout(timer);
        resolve(c);
      };
      this.waiters.add(w);
    });
  }

  /** True once every delivered update was confirmed by a later getUpdates offset. */
  get drained(): boolean {
    return this.updates.every((u) => u.update_id <= this.confirmed);
  }

  private user(u: FakeUser) {
    return { id: u.id, is_bot: false, first_name: u.name ?? `U${u.id}` };
  }

  private envelope(from: FakeUser, groupId?: number) {
    const chat = groupId !== undefined ? { id: groupId, type: 'supergroup', title: '工作群' } : { id: from.id, type: 'private', first_name: from.name ?? `U${from.id}` };
    return { message_id: ++this.messageSeq, date: Math.floor(Date.now() / 1000), chat, from: this.user(from) };
  }

  /** The bot's message with this id, as Telegram would embed it. */
  private sentMessage(messageId: number): Record<string, any> {
    const call = this.sent('sendMessage').find((c) => c.body.__result?.message_id === messageId);
    if (!call) throw new Error(`the bot sent no message ${messageId}`);
    return call.body.__result;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const reply = (status: number, payload: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const fail = (code: number, description: string) => reply(code, { ok: false, error_code: code, description });
    if (!m) return fail(404, 'Not Found');
    const [, token, method] = m as unknown as [string, string, string];
    if (method === 'getMe') this.getMeCalls++;
    if (token !== this.opts.token) return fail(401, 'Unauthorized');
    const call: ApiCall = { method, body };
    const refused = this.opts.refuse?.(call);
    if (refused) return fail(...refused);
    let result: unknown;
    switch (method) {
      case 'getMe':
        result = { id: this.bot.id, is_bot: true, first_name: '护苗助手', username: this.bot.username, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
        break;
      case 'getUpdates':
        return this.getUpdates(body, res, (r) => reply(200, { ok: true, result: r }));
      case 'setWebhook':
        this.webhook = { url: String(body.url), secret: body.secret_token as string | undefined };
        result = true;
        break;
      case 'deleteWebhook':
      case 'answerCallbackQuery':
        result = true;
        break;
      case 'sendMessage': {
        const chatId = Number(body.chat_id);
        result = {
          message_id: ++this.messageSeq,
          date: Math.floor(Date.now() / 1000),
          chat: chatId < 0 ? { id: chatId, type: 'supergroup', title: '工作群' } : { id: chatId, type: 'private', first_name: 'U' },
          from: { id: this.bot.id, is_bot: true, first_name: '护苗助手', username: this.bot.username },
          text: String(body.text).replace(/<[^>]+>/g, ''),
          ...(body.reply_markup ? { reply_markup: body.reply_markup } : {}),
        };
        // Kept on the call so tests (and clicks) can refer to the message the bot got back.
        Object.defineProperty(body, '__result', { value: result, enumerable: false });
        break;
      }
      case 'editMessageReplyMarkup':
        result = true;
        break;
      default:
        return fail(404, 'Not Found: method not found');
    }
    this.record(call);
    reply(200, { ok: true, result });
  }

  private record(call: ApiCall): void {
    this.calls.push(call);
    for (const w of [...this.waiters]) {
      if (w.pred(call)) {
        this.waiters.delete(w);
        w.resolve(call);
      }
    }
  }

  private getUpdates(body: Record<string, any>, res: ServerResponse, send: (r: unknown[]) => void): void {
    const offset = typeof body.offset === 'number' ? body.offset : 0;
    if (offset > 0) this.confirmed = Math.max(this.confirmed, offset - 1);
    const limit = typeof body.limit === 'number' ? body.limit : 100;
    const pending = () => this.updates.filter((u) => u.update_id > this.confirmed).slice(0, limit);
    this.record({ method: 'getUpdates', body });
    const now = pending();
    const holdMs = Math.min((typeof body.timeout === 'number' ? body.timeout : 0) * 1000, this.opts.maxHoldMs ?? 300);
    if (now.length || holdMs === 0) return send(now);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.pollers.delete(finish);
      send(pending());
    };
    const timer = setTimeout(finish, holdMs);
    this.pollers.add(finish);
    res.on('close', () => {
      // Answered, or the bot aborted the poll (stop()); either way nothing more to send.
      done = true;
      clearTimeout(timer);
      this.pollers.delete(finish);
    });
  }
}
