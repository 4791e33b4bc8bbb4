import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Channel, MessageSink } from '../../core/channel.js';
import type { ChatType, InboundMessage, PushTarget, Reply } from '../../domain/model/message.js';
import { renderReply } from './render.js';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Interactive chat with a prompt (a TTY); otherwise one message per line, for scripts. */
  interactive: boolean;
  userId: string;
  /** Group chat id to speak in; undefined for a private chat with the bot. */
  groupId?: string;
  /** How to show a user or chat in prompts and push headers. */
  describe: (target: PushTarget) => string;
}

const HELP = [
  '控制台命令：',
  '  /user <userid>   换成另一位成员发言',
  '  /group <chatid>  到某个群里发言（消息视为 @ 了机器人）',
  '  /private         回到与机器人的私聊',
  '  /quit            退出',
].join('\n');

/**
 * The console channel: lets anyone try the bot without WeCom. Each line typed is a message
 * from the current user in the current chat; pushes are printed with who would receive them.
 */
export class ConsoleChannel implements Channel {
  readonly name = 'console';
  private seq = 0;
  private userId: string;
  private groupId: string | undefined;
  private closed!: Promise<void>;
  private readonly runId = Date.now().toString(36);

  constructor(private readonly opts: ConsoleOptions) {
    this.userId = opts.userId;
    this.groupId = opts.groupId;
  }

  /** Resolves when input ends (end of file, /quit or Ctrl-D) and every line has been answered. */
  get done(): Promise<void> {
    return this.closed;
  }

  async start(sink: MessageSink): Promise<void> {
    const rl = createInterface({
      input: this.opts.input,
      output: this.opts.interactive ? this.opts.output : undefined,
      terminal: this.opts.interactive,
    });
    const prompt = (): void => {
      if (!this.opts.interactive) return;
      rl.setPrompt(`${this.where()}> `);
      rl.prompt();
    };
    if (this.opts.interactive) {
      this.print(`护苗助手（控制台）。输入问题开始，例如「留守儿童由哪个单位牵头？」；输入 /help 查看控制台命令。`);
    }
    // Lines are answered strictly in order, as a person would see them in a chat.
    let queue = Promise.resolve();
    this.closed = new Promise((resolveClosed) => {
      rl.on('line', (line) => {
        queue = queue.then(async () => {
          if (await this.handleLine(line.trim(), sink, rl)) prompt();
        });
      });
      rl.on('close', () => {
        void queue.then(() => resolveClosed());
      });
    });
    prompt();
  }

  private where(): string {
    const who = this.opts.describe({ kind: 'user', id: this.userId });
    return this.groupId ? `${who}@${this.opts.describe({ kind: 'chat', id: this.groupId })}` : `${who}@私聊`;
  }

  /** Returns false when the console should stop prompting (quit). */
  private async handleLine(line: string, sink: MessageSink, rl: ReturnType<typeof createInterface>): Promise<boolean> {
    if (!line) return true;
    if (line.startsWith('/')) {
      const [cmd, arg] = line.split(/\s+/, 2);
      switch (cmd) {
        case '/user':
          if (arg) this.userId = arg;
          else this.print('用法：/user <userid>');
          return true;
        case '/group':
          if (arg) this.groupId = arg;
          else this.print('用法：/group <chatid>');
          return true;
        case '/private':
          this.groupId = undefined;
          return true;
        case '/quit':
          rl.close();
          return false;
        case '/help':
          this.print(HELP);
          return true;
      }
    }
    const chatType: ChatType = this.groupId ? 'group' : 'single';
    const msg: InboundMessage = {
      id: `console-${this.runId}-${++this.seq}`,
      channel: this.name,
      userId: this.userId,
      chatId: this.groupId ?? this.userId,
      chatType,
      kind: 'text',
      text: line,
      receivedAt: new Date(),
    };
    const result = await sink(msg);
    for (const reply of result.replies) this.print(renderReply(reply));
    return true;
  }

  async push(target: PushTarget, reply: Reply): Promise<void> {
    const to = target.kind === 'user' ? `私聊 ${this.opts.describe(target)}` : `群 ${this.opts.describe(target)}`;
    this.print(`【推送 → ${to}】\n${renderReply(reply)}`);
  }

  async stop(): Promise<void> {}

  private print(text: string): void {
    this.opts.output.write(`${text}\n`);
  }
}
