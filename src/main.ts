import { parseArgs } from 'node:util';
import type { Channel, DispatchResult } from './core/channel.js';
import type { InboundMessage, PushTarget } from './core/message.js';
import { OutboxWorker, type Pacer } from './core/outbox-worker.js';
import { GroupCommit } from './core/group-commit.js';
import { ConfigError } from './config/load.js';
import { ConsoleChannel } from './channels/console/console-channel.js';
import { GroupFilterChannel, SensitiveIndex } from './channels/group-filter.js';
import { rateLimitedSink, UserRateLimiter } from './core/rate-limit.js';
import { createApp } from './app.js';
import { bootstrap } from './bootstrap.js';
import { createLogger } from './log.js';
import type { AppDeps } from '../handlers/types.js';
import { startScheduler } from '../schedules/cron.js';
import { housekeeping } from '../schedules/housekeeping.js';
import { buildJobs } from '../schedules/jobs.js';
import { JobRunner } from '../schedules/runner.js';

const started = performance.now();
const wecom = Boolean(process.env.WECOM_BOT_ID);
// One chat platform per process: WeCom wins when both are configured.
const telegram = !wecom && Boolean(process.env.TELEGRAM_BOT_TOKEN);
const chatPlatform = wecom || telegram;
// In the console the conversation is on stdout; keep logs to warnings unless asked.
const log = createLogger(process.env.LOG_LEVEL ?? (chatPlatform ? 'info' : 'warn'));

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let deps: AppDeps;
try {
  deps = bootstrap(log);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 2);
  throw err;
}

const app = createApp(deps);
const { config, store } = deps;

function describe(target: PushTarget): string {
  if (target.kind === 'user') {
    const m = config.members.find((x) => x.userid === target.id);
    return m ? `${m.name}（${target.id}）` : target.id;
  }
  return config.groups.find((g) => g.chatid === target.id)?.name ?? target.id;
}

let channel: Channel;
let pacer: Pacer | undefined;
let consoleChannel: ConsoleChannel | undefined;
if (wecom) {
  const { startWecom } = await import('./channels/wecom/start.js');
  ({ channel, pacer } = startWecom(deps, process.env));
} else if (telegram) {
  const { startTelegram } = await import('./channels/telegram/start.js');
  ({ channel } = startTelegram(deps, process.env));
} else {
  const { values } = parseArgs({
    options: { user: { type: 'string' }, group: { type: 'string' } },
    allowPositionals: false,
  });
  const defaultUser = config.members.find((m) => m.role === 'admin')?.userid ?? config.members[0]?.userid ?? 'console-user';
  consoleChannel = new ConsoleChannel({
    input: process.stdin,
    output: process.stdout,
    interactive: Boolean(process.stdin.isTTY),
    userId: values.user ?? defaultUser,
    groupId: values.group,
    describe,
  });
  channel = consoleChannel;
}
// Last line of defence: nothing identifying reaches a group, whatever produced the message.
channel = new GroupFilterChannel(channel, new SensitiveIndex(store.cases, config), log);

const commits = new GroupCommit(store, app.router, log);
const worker = new OutboxWorker(store, channel, deps.clock, log, { pacer });

let stopScheduler = (): void => {};

async function shutdown(code: number): Promise<never> {
  stopScheduler();
  await worker.stop();
  await channel.stop();
  store.close();
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const sink = async (msg: InboundMessage): Promise<DispatchResult> => {
    const result = await commits.dispatch(msg);
    worker.poke();
    return result;
  };
  // Only a chat platform has many users to protect from one; the console is one local user, often a script.
  await channel.start(chatPlatform ? rateLimitedSink(sink, new UserRateLimiter(deps.clock)) : sink);
} catch (err) {
  const code = (err as { exitCode?: number }).exitCode;
  log.fatal({ err: (err as Error).message }, 'channel failed to start');
  await shutdown(typeof code === 'number' ? code : 1);
}
worker.start();
stopScheduler = startScheduler(new JobRunner(deps, buildJobs(deps)), log, () => worker.poke(), () => housekeeping(deps));
log.info({ channel: channel.name, ms: Math.round(performance.now() - started) }, 'ready');

if (consoleChannel) {
  await consoleChannel.done;
  // Scripted use: deliver whatever the conversation queued before leaving.
  await worker.drainOnce();
  await shutdown(0);
}
