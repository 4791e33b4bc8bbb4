import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runOwnedTowns, type TownUnit } from '../../src/county/runtime.js';
import { LeaseManager, openLeasePool } from '../../src/county/lease.js';
import { ChannelFailedError } from '../../src/town-runtime.js';
import { FakeWecomServer, textMsg, type Frame } from '../channels/wecom/fake-wecom-server.js';
import { testConfig, testDeps } from '../helpers/deps.js';
import { plan } from '../helpers/intake-harness.js';
import { pgEnabled, pgTestUrl } from '../helpers/stores.js';

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
    expect(await owned.serving).toEqual({ serving: ['qy'], standby: [], failed: ['dj'] });
    const q = servers[1]!.deliver(textMsg({ userid: 'wangwu', msgid: 'qy-2' }, '帮助'));
    expect((await servers[1]!.waitFrame(replyTo(q), 20_000)).body!.stream.content).toMatch(/护苗助手/);
    expect(await settled(owned.failure)).toBe('pending');
  });
});

/** A town id no other run uses: its lease row is removed afterwards. */
const freshTownId = (): string => `t_rt_${randomBytes(4).toString('hex')}`;

/**
 * This process's lease manager for `ids` (short timings), with `elsewhere`'s lease already taken
 * by another holder, as another process would hold it. Lease rows and pool go at cleanup.
 */
async function leasesWithOneHeldElsewhere(ids: string[], elsewhere: string) {
  const pool = openLeasePool(pgTestUrl);
  cleanups.push(async () => {
    await pool.query('DELETE FROM humiao.leases WHERE town = ANY($1)', [ids]);
    await pool.end();
  });
  const timings = { ttlMs: 3_000, renewMs: 500, pollMs: 100 };
  const leases = new LeaseManager(pool, timings);
  await leases.ensureTable();
  const other = await new LeaseManager(pool, timings).tryAcquire(elsewhere);
  cleanups.push(() => other?.release());
  return { leases, other };
}

describe.skipIf(!pgEnabled)('a county process with leases', () => {
  it('is serving only once its towns hold their lease with the channel up; a town held elsewhere is standby, not waited for', { timeout: 60_000 }, async () => {
    const ids = [freshTownId(), freshTownId()];
    // Another process already serves the second town.
    const { leases, other } = await leasesWithOneHeldElsewhere(ids, ids[1]!);
    const { servers, towns, lines } = await county(ids);
    const [a, b] = servers as [FakeWecomServer, FakeWecomServer];
    const order: string[] = [];
    const owned = await runOwnedTowns(towns, leases);
    cleanups.push(() => owned.stop());
    void a.waitAuthenticated().then(() => order.push('channel up'));
    void owned.settled.then(() => order.push('settled'));
    const serving = await owned.serving;
    order.push('serving');

    expect(serving).toEqual({ serving: [ids[0]], standby: [ids[1]], failed: [] });
    expect(order).toEqual(['channel up', 'settled', 'serving']);
    expect((await leases.current(ids[0]!))?.holder).toBe(leases.holder);
    const said = lines.map((l) => JSON.parse(l) as { msg: string; town: string }).map((r) => `${r.msg} ${r.town}`);
    expect(said).toContain(`town serving ${ids[0]}`);
    expect(said).toContain(`waiting for the town lease (standby) ${ids[1]}`);
    expect(said).not.toContain(`waiting for the town lease (standby) ${ids[0]}`);
    expect(b.connections).toBe(0);

    // The other process stops: the standby town is taken over and comes up too.
    await other!.release();
    await b.waitAuthenticated();
    await expect.poll(() => lines.some((l) => l.includes('"msg":"town serving"') && l.includes(ids[1]!)), { timeout: 10_000 }).toBe(true);
  });

  it('a process whose every town is held elsewhere has settled as standby and is not serving', { timeout: 60_000 }, async () => {
    const id = freshTownId();
    const { leases, other } = await leasesWithOneHeldElsewhere([id], id);
    const { servers, towns } = await county([id]);
    const owned = await runOwnedTowns(towns, leases);
    cleanups.push(() => owned.stop());

    expect(await owned.settled).toEqual({ serving: [], standby: [id], failed: [] });
    expect(await settled(owned.serving)).toBe('pending');
    await other!.release();
    expect(await owned.serving).toEqual({ serving: [id], standby: [], failed: [] });
    expect(servers[0]!.connections).toBe(1);
  });
});
