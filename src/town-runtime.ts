import type { AppDeps } from './core/context.js';
import { createApp } from './app.js';
import type { Channel, DispatchResult } from './core/channel.js';
import type { ChatSettings } from './config/settings.js';
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
import { quarterlyFile } from '../schedules/jobs/quarterly-file.js';
import { channelPorts, type ChannelPorts } from './core/channel-ports.js';
import { StorageAlarm } from './core/storage-alarm.js';

/** How long start-up work waits for a first message before it starts anyway. */
const STARTUP_GRACE_MS = 2_000;

export interface TownRuntimeOptions {
  /** This town's chat platform (in a county, with its own bot credentials). */
  chat: ChatSettings;
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
  /**
   * Rejects with a {@link ChannelFailedError} when the chat platform ended the channel for good
   * after it had started (bot taken over, credentials revoked, reconnecting given up). By then the
   * town has stopped itself; the caller decides what else stops. Never settles otherwise.
   */
  readonly failed: Promise<never>;
  /** Stops jobs, the outbox worker and the connection; the store stays open (the caller owns it). */
  stop(): Promise<void>;
}

/**
 * Thrown by {@link startTownRuntime} when the chat platform refused to start (bad credentials,
 * unreachable server), and the rejection of {@link TownRuntime.failed} when it ended the channel
 * later. `exitCode` is the channel's own code (2 credentials, 3 taken over, 4 gave up, …), the
 * one a single-town process exits with.
 */
export class ChannelFailedError extends Error {
  override name = 'ChannelFailedError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const exitCodeOf = (err: unknown): number => {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' ? code : 1;
};

/** What a town's chat channel gets of it; tests build their channels from the same. */
export function townChannelPorts(deps: AppDeps): ChannelPorts {
  return channelPorts(deps, (file) => quarterlyFile(deps, file));
}

/**
 * Starts one town: the channel for its platform behind the group-output filter, group commit,
 * the outbox worker and the scheduler. Must be called only by the process that owns the town
 * (with PostgreSQL, the holder of its lease): WeCom allows one connection per bot, and the jobs
 * must not run twice.
 */
export async function startTownRuntime(deps: AppDeps, opts: TownRuntimeOptions): Promise<TownRuntime> {
  const { config, store, log } = deps;
  const platform = opts.chat.platform;

  let channel: Channel;
  // A chat platform's connection can end for good after it started; the console cannot.
  let ended: Promise<void> | undefined;
  let pacer: Pacer | undefined;
  let consoleChannel: ConsoleChannel | undefined;
  if (opts.chat.platform === 'wecom') {
    const { startWecom } = await import('./channels/wecom/start.js');
    const wecom = startWecom(townChannelPorts(deps), opts.chat);
    ({ channel, pacer } = wecom);
    ended = wecom.channel.done;
  } else if (opts.chat.platform === 'telegram') {
    const { startTelegram } = await import('./channels/telegram/start.js');
    ({ channel } = startTelegram(townChannelPorts(deps), opts.chat));
    ended = (channel as ReturnType<typeof startTelegram>['channel']).done;
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
  channel = new GroupFilterChannel(channel, sensitive, log, async (ids) => {
    // An unreadable record is told to the admins once; the bot goes on answering.
    for (const a of config.members.filter((m) => m.role === 'admin')) {
      await store.outbox.enqueue(
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

  const admins = config.members.filter((m) => m.role === 'admin').map((m) => m.userid);
  // Straight through the channel: the outbox is in the store that cannot write.
  const storage = new StorageAlarm({ admins, send: (target, reply) => channel.push(target, reply), clock: deps.clock, log });
  const app = createApp(deps, storage);
  const commits = new GroupCommit(store, app.router, log, { storage });
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
    await channel.stop().catch(() => {});
    throw new ChannelFailedError((err as Error).message, exitCodeOf(err));
  }
  worker.start();
  // On the next turn: `ready` is logged first, and a message already waiting is answered either way.
  setImmediate(() => app.warm());
  const holidayGap = calendarWarning(calendarOf(deps), deps.clock.now());
  if (holidayGap) log.warn({ calendar: 'incomplete' }, holidayGap);
  const runner = new JobRunner(deps, buildJobs(deps));
  runner.onInstall = async (now) => {
    if (!config.followup.announceOnInstall) return;
    for (const g of broadcastGroups(config)) {
      await store.outbox.enqueue({ target: g, reply: { text: '护苗助手已启用。私聊我发送「帮助」可查看能做什么。' }, reason: 'install', dedupeKey: `install:${g.id}` }, now);
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
      await scheduler.stop();
      await worker.stop();
      await channel.stop();
    })());
  const done = consoleChannel?.done.then(async () => {
    // Scripted use: run the catch-up if the script ended first, and deliver what was queued.
    await scheduler.settled();
    await worker.drainOnce();
  });
  // The channel's `done` resolves when we stop it; a rejection is the platform ending it.
  const failed = new Promise<never>((_, reject) => {
    ended?.catch(async (err: unknown) => {
      await stop().catch((e: unknown) => log.error({ err: e }, 'stopping the town after its channel failed'));
      reject(new ChannelFailedError((err as Error).message, exitCodeOf(err)));
    });
  });
  failed.catch(() => {});
  return { channelName: channel.name, done, failed, stop };
}

function describeTarget({ config }: AppDeps, target: PushTarget): string {
  if (target.kind === 'user') {
    const m = config.members.find((x) => x.userid === target.id);
    return m ? `${m.name}（${target.id}）` : target.id;
  }
  return config.groups.find((g) => g.chatid === target.id)?.name ?? target.id;
}
