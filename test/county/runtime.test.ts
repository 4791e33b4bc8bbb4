import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runOwnedTowns, type TownUnit } from '../../src/county/runtime.js';
import { ChannelFailedError } from '../../src/town-runtime.js';
import { FakeWecomServer, textMsg, type Frame } from '../channels/wecom/fake-wecom-server.js';
import { testConfig, testDeps } from '../helpers/deps.js';
import { plan } from '../helpers/intake-harness.js';

/**
 * A county process without leases (SQLite: every town starts at once). One town's failing bot
 * must not end the others: the town stops alone, and the process hears of it only when no town
 * is left, with the channel's exit code.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const replyTo = (reqId: string) => (f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId;
const settled = (p: Promise<unknown>): Promise<string> =>
  Promise.race([p.then(() => 'resolved', () => 'rejected'), new Promise<string>((r) => setImmediate(() => r('pending')))]);

async function county(ids: string[]): Promise<{ servers: FakeWecomServer[]; towns: TownUnit[]; lines: string[] }> {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  const servers: FakeWecomServer[] = [];
  const towns: TownUnit[] = [];
  for (const id of ids) {
    const server = await FakeWecomServer.start({ botId: `bot-${id}`, secret: `s-${id}` });
    cleanups.push(() => server.close());
    servers.push(server);
    const deps = await testDeps({ config: { ...testConfig(), townId: id }, plan, log: log.child({ town: id }) });
    cleanups.push(() => deps.store.close());
    towns.push({ deps, runtime: { chat: { platform: 'wecom', botId: `bot-${id}`, secret: `s-${id}`, wsUrl: server.url, reconnectMs: 20 } } });
  }
  return { servers, towns, lines };
}

describe('a county process whose towns fail one by one', () => {
  it('stops only the town whose bot was taken over, and fails with its code once none is left', { timeout: 60_000 }, async () => {
    const { servers, towns, lines } = await county(['dj', 'qy']);
    const [a, b] = servers as [FakeWecomServer, FakeWecomServer];
    const owned = await runOwnedTowns(towns, undefined);
    cleanups.push(() => owned.stop());
    await Promise.all([a.waitAuthenticated(), b.waitAuthenticated()]);

    a.kick();
    await expect.poll(() => lines.some((l) => l.includes('town stopped: its chat channel failed') && l.includes('"town":"dj"')), { timeout: 20_000 }).toBe(true);
    expect(await settled(owned.failure)).toBe('pending');
    const q = b.deliver(textMsg({ userid: 'wangwu', msgid: 'qy-1' }, '帮助'));
    expect((await b.waitFrame(replyTo(q), 20_000)).body!.stream.content).toMatch(/护苗助手/);
    expect(a.connections).toBe(1);

    b.kick();
    const err = await owned.failure.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelFailedError);
    expect((err as ChannelFailedError).exitCode).toBe(3);
  });

  it('goes on with the towns that started when one town’s bot is refused at start', { timeout: 60_000 }, async () => {
    const { servers, towns, lines } = await county(['dj', 'qy']);
    const refused = towns[0]!;
    refused.runtime = { chat: { platform: 'wecom', botId: 'bot-dj', secret: 'wrong', wsUrl: servers[0]!.url, authRetries: 0, reconnectMs: 20 } };
    const owned = await runOwnedTowns(towns, undefined);
    cleanups.push(() => owned.stop());
    expect(lines.some((l) => l.includes('town stopped: its chat channel failed') && l.includes('"exitCode":2'))).toBe(true);
    const q = servers[1]!.deliver(textMsg({ userid: 'wangwu', msgid: 'qy-2' }, '帮助'));
    expect((await servers[1]!.waitFrame(replyTo(q), 20_000)).body!.stream.content).toMatch(/护苗助手/);
    expect(await settled(owned.failure)).toBe('pending');
  });
});
