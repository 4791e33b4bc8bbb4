import { parseArgs } from 'node:util';
import { ConfigError } from './config/load.js';
import { bootstrap } from './bootstrap.js';
import { createLogger } from './log.js';
import { platformOf, startTownRuntime, ChannelStartError, type TownRuntime } from './town-runtime.js';
import type { AppDeps } from '../handlers/types.js';

const started = performance.now();
// In the console the conversation is on stdout; keep logs to warnings unless asked.
const log = createLogger(process.env.LOG_LEVEL ?? (platformOf(process.env) === 'console' ? 'warn' : 'info'));

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

const { values } = parseArgs({
  options: { user: { type: 'string' }, group: { type: 'string' } },
  allowPositionals: false,
});

let runtime: TownRuntime | undefined;

async function shutdown(code: number): Promise<never> {
  await runtime?.stop();
  deps.store.close();
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  runtime = await startTownRuntime(deps, { env: process.env, console: { userId: values.user, groupId: values.group } });
} catch (err) {
  if (!(err instanceof ChannelStartError)) throw err;
  log.fatal({ err: err.message }, 'channel failed to start');
  await shutdown(err.exitCode);
}
log.info({ channel: runtime!.channelName, ms: Math.round(performance.now() - started) }, 'ready');

if (runtime!.done) {
  await runtime!.done;
  await shutdown(0);
}
