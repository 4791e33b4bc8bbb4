import type { MessageSink } from '../../../src/core/channel.js';
import { createApp } from '../../../src/app.js';
import { startTelegram } from '../../../src/channels/telegram/start.js';
import type { TelegramSettings } from '../../../src/config/settings.js';
import { townChannelPorts } from '../../../src/town-runtime.js';
import { bundledPlanPath } from '../../../src/config/load.js';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { testConfig, testDeps } from '../../helpers/deps.js';
import { FakeTelegramServer } from './fake-telegram-server.js';

export const TOKEN = '123456:TEST-token';

/** Telegram ids as an admin writes them into humiao.config.yaml: numbers, quoted. */
export const LISI = { id: 111111111, name: '李四' }; // admin, 镇团委
export const ZHANGSAN = { id: 222222222, name: '张三' }; // staff, 镇派出所
export const STRANGER = { id: 999999999, name: '路人' };
export const WORK_GROUP = -1001234567890;
export const POLICE_GROUP = -1009876543210;

export const telegramConfigText = `
town: 墩集镇
casePrefix: DJ
villages: [墩集村, 王庄村]
members:
  - { userid: "${LISI.id}", name: 李四, unit: 镇团委, role: admin }
  - { userid: "${ZHANGSAN.id}", name: 张三, unit: 镇派出所, role: staff }
groups:
  - { chatid: "${WORK_GROUP}", name: 重点青少年工作群, broadcast: true }
  - { chatid: "${POLICE_GROUP}", name: 派出所工作群, unit: 镇派出所 }
`;

/** The real app (all handlers, the bundled plan) on the Telegram channel against a fake Bot API. */
export async function telegramHarness(
  cleanups: Array<() => Promise<void> | void>,
  sinkWrap?: (s: MessageSink) => MessageSink,
  webhook?: TelegramSettings['webhook'],
) {
  const server = await FakeTelegramServer.start({ token: TOKEN });
  cleanups.push(() => server.close());
  const deps = await testDeps({ config: testConfig(telegramConfigText), plan: loadPlanFile(bundledPlanPath) });
  const app = createApp(deps);
  const { channel } = startTelegram(
    townChannelPorts(deps),
    { platform: 'telegram', token: TOKEN, apiRoot: server.apiRoot, ...(webhook ? { webhook } : {}) },
    // Telegram's pacing, minus the one-second gaps that would only make the tests slow.
    { throttle: { out: { maxConcurrent: 1, minTime: 0 }, group: { maxConcurrent: 1, minTime: 0 } }, pollTimeoutSec: 1 },
  );
  cleanups.push(() => channel.stop());
  const sink: MessageSink = async (m) => app.router.dispatch(m);
  await channel.start(sinkWrap ? sinkWrap(sink) : sink);
  return { server, deps, app, channel };
}

/** What a person reads: the HTML without tags and with entities decoded. */
export const plain = (html: string): string =>
  html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
