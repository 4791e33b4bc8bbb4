import type { AppDeps } from './core/context.js';
import { createApp } from './app.js';
import type { Channel, DispatchResult } from './core/channel.js';
import type { InboundMessage, PushTarget } from './domain/model/message.js';
import { GroupCommit } from './core/group-commit.js';
import { OutboxWorker, type Pacer } from './core/outbox-worker.js';
import { rateLimitedSink, UserRateLimiter } from './core/rate-limit.js';
import { ConsoleChannel } from './channels/console/console-channel.js';
import { GroupFilterChannel, SensitiveIndex } from './channels/group-filter.js';
import { startScheduler } from '../schedules/cron.js';
import { housekeeping } from '../schedules/housekeeping.js';
import { buildJobs, calendarOf } from '../schedules/jobs.js';
import { calendarWarning } from './domain/calendar/shanghai.js';
import { broadcastGroups } from '../schedules/jobs/recipients.js';
import { JobRunner } from '../schedules/runner.js';

export type Platform = 'wecom' | 'telegram' | 'console';

/** How long start-up work waits for a first message before it starts anyway. */
const STARTUP_GRACE_MS = 2_000;

/** One chat platform per town: WeCom wins when both are configured; neither means the console. */
export function platformOf(env: NodeJS.ProcessEnv): Platform {
  if (env.WECOM_BOT_ID) return 'wecom';
  if (env.TELEGRAM_BOT_TOKEN) return 'telegram';
  return 'console';
}

export interface TownRuntimeOptions {
  /** The environment as this town sees it (its own bot credentials in WECOM_BOT_ID etc.). */
  env: NodeJS.ProcessEnv;
  /** Console only: who types, and in which group (default: a private chat). */
  console?: { userId?: string; groupId?: string };
  /** With a standby: whether this process still holds the town's lease (checked before each push). */
  owns?: () => boolean;
}

/** A town's running bot: its chat connection, outbox worker and scheduled jobs. */
export interface TownRuntime {
  readonly channelName: string;
  /** Console only: settles when a scripted conversation has ended and its pushes were delivered. */
  readonly done?: Promise<void>;
  /** Stops jobs, the outbox worker and the connection; the store stays open (the caller owns it). */
  stop(): Promise<void>;
}

/**
 * Thrown by {@link startTownRuntime} when the chat platform refused to start (bad credentials,
 * unreachable server). `exitCode` is the channel's own code (2 credentials, 4 gave up, …).
 */
export class ChannelStartError extends Error {
  override name = 'ChannelStartError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * Starts one town: the channel for its platform behind the group-output filter, group commit,
 * the outbox worker and the scheduler. Must be called only by the process that owns the town
 * (with PostgreSQL, the holder of its lease): WeCom allows one connection per bot, and the jobs
 * must not run twice.
 */
export async function startTownRuntime(deps: AppDeps, opts: TownRuntimeOptions): Promise<TownRuntime> {
  const { config, store, log } = deps;
  const platform = platformOf(opts.env);
  const app = createApp(deps);

  let channel: Channel;
  let pacer: Pacer | undefined;
  let consoleChannel: ConsoleChannel | undefined;
  if (platform === 'wecom') {
    const { startWecom } = await import('./channels/wecom/start.js');
    ({ channel, pacer } = startWecom(deps, opts.env));
  } else if (platform === 'telegram') {
    const { startTelegram } = await import('./channels/telegram/start.js');
    ({ channel } = startTelegram(deps, opts.env));
  } else {
    const defaultUser = config.members.find((m) => m.role === 'admin')?.userid ?? config.members[0]?.userid ?? 'console-user';
    consoleChannel = new ConsoleChannel({
      input: process.stdin,
      output: process.stdout,
      interactive: Boolean(process.stdin.isTTY),
      userId: opts.console?.userId ?? defaultUser,
      groupId: opts.console?.groupId,
      describe: (target) => describeTarget(deps, target),
    });
    channel = consoleChannel;
  }
  // Last line of defence: nothing identifying reaches a group, whatever produced the message.
  const sensitive = new SensitiveIndex(store, config);
  channel = new GroupFilterChannel(channel, sensitive, log, (ids) => {
    // An unreadable record is told to the admins once; the bot goes on answering.
    for (const a of config.members.filter((m) => m.role === 'admin')) {
      store.outbox.enqueue(
        {
          target: { kind: 'user', id: a.userid },
          reply: { text: `有 ${ids.length} 个个案的加密信息无法读取（数据损坏或被改动）。其他个案不受影响。请运行「audit verify」并用备份核对。` },
          reason: 'security.unreadable-case',
          dedupeKey: `security.unreadable:${ids.join(',')}:${a.userid}`,
        },
        deps.clock.now(),
      );
    }
  });

  const commits = new GroupCommit(store, app.router, log);
  const admins = config.members.filter((m) => m.role === 'admin').map((m) => m.userid);
  const worker = new OutboxWorker(store, channel, deps.clock, log, { pacer, mayPush: opts.owns, admins });
  // Start-up work that grows with the data (the jobs' catch-up, the group filter's index) waits
  // until the first message has been answered, or STARTUP_GRACE_MS, and then runs in chunks.
  let firstAnswered!: () => void;
  const answered = new Promise<void>((resolve) => (firstAnswered = resolve));
  const sink = async (msg: InboundMessage): Promise<DispatchResult> => {
    const result = await commits.dispatch(msg);
    worker.poke();
    setImmediate(firstAnswered);
    return result;
  };
  try {
    // Only a chat platform has many users to protect from one; the console is one local user, often a script.
    await channel.start(platform === 'console' ? sink : rateLimitedSink(sink, new UserRateLimiter(deps.clock)));
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    await channel.stop().catch(() => {});
    throw new ChannelStartError((err as Error).message, typeof code === 'number' ? code : 1);
  }
  worker.start();
  // On the next turn: `ready` is logged first, and a message already waiting is answered either way.
  setImmediate(() => app.warm());
  const holidayGap = calendarWarning(calendarOf(deps), deps.clock.now());
  if (holidayGap) log.warn({ calendar: 'incomplete' }, holidayGap);
  const runner = new JobRunner(deps, buildJobs(deps));
  runner.onInstall = (now) => {
    if (!config.followup.announceOnInstall) return;
    for (const g of broadcastGroups(config)) {
      store.outbox.enqueue({ target: g, reply: { text: '护苗助手已启用。私聊我发送「帮助」可查看能做什么。' }, reason: 'install', dedupeKey: `install:${g.id}` }, now);
    }
  };
  const scheduler = startScheduler(runner, log, () => worker.poke(), () => housekeeping(deps), { startAfter: answered, graceMs: STARTUP_GRACE_MS });
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const grace = setTimeout(firstAnswered, STARTUP_GRACE_MS);
  void answered.then(() => sensitive.fill(turn)).catch((err: unknown) => log.error({ err }, 'group filter index fill failed; group messages fill it as they go'));

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      clearTimeout(grace);
      scheduler.stop();
      await worker.stop();
      await channel.stop();
    })());
  const done = consoleChannel?.done.then(async () => {
    // Scripted use: run the catch-up if the script ended first, and deliver what was queued.
    await scheduler.settled();
    await worker.drainOnce();
  });
  return { channelName: channel.name, done, stop };
}

function describeTarget({ config }: AppDeps, target: PushTarget): string {
  if (target.kind === 'user') {
    const m = config.members.find((x) => x.userid === target.id);
    return m ? `${m.name}（${target.id}）` : target.id;
  }
  return config.groups.find((g) => g.chatid === target.id)?.name ?? target.id;
}
