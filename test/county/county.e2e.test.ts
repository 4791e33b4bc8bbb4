import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWecomServer, textMsg, type Frame } from '../channels/wecom/fake-wecom-server.js';
import { repoRoot, spawnBot } from '../helpers/spawn-bot.js';
import { runBot, runCli } from '../helpers/run-bot.js';
import { pgEnabled, pgTestUrl } from '../helpers/stores.js';
import { pgClientForTowns } from '../helpers/pg-towns.js';

/**
 * One process, two towns (HUMIAO_COUNTY_CONFIG), one PostgreSQL database: each town answers on
 * its own bot as itself, what one town's users do lands only in that town's rows, and one town's
 * failing bot stops that town alone.
 */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const replyTo = (reqId: string) => (f: Frame) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === reqId;

describe.skipIf(!pgEnabled)('a county process serving two towns', () => {
  it('answers each town on its own bot, keeps their rows apart, and stops only the town whose bot fails', { timeout: 90_000 }, async () => {
    const tag = randomBytes(3).toString('hex');
    const [a, b] = [`dj_${tag}`, `qy_${tag}`];
    const client = await pgClientForTowns([a, b], cleanups);

    const dir = mkdtempSync(join(tmpdir(), 'humiao-county-e2e-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const example = readFileSync(join(repoRoot, 'humiao.config.example.yaml'), 'utf8');
    writeFileSync(join(dir, 'a.yaml'), `id: ${a}\n${example}`);
    writeFileSync(join(dir, 'b.yaml'), `id: ${b}\n${example.replace('town: 墩集镇', 'town: 青阳镇').replace('casePrefix: DJ', 'casePrefix: QY')}`);
    writeFileSync(join(dir, 'county.yaml'), 'county: 泗洪县\ntowns: [a.yaml, b.yaml]\n');

    const servers = {
      a: await FakeWecomServer.start({ botId: 'botA', secret: 'sA' }),
      b: await FakeWecomServer.start({ botId: 'botB', secret: 'sB' }),
    };
    cleanups.push(() => servers.a.close(), () => servers.b.close());
    const A = a.toUpperCase();
    const B = b.toUpperCase();
    const bot = spawnBot(
      {
        HUMIAO_COUNTY_CONFIG: join(dir, 'county.yaml'),
        HUMIAO_CONFIG: undefined,
        DATABASE_URL: pgTestUrl,
        [`WECOM_BOT_ID_${A}`]: 'botA',
        [`WECOM_BOT_SECRET_${A}`]: 'sA',
        [`WECOM_WS_URL_${A}`]: servers.a.url,
        [`WECOM_BOT_ID_${B}`]: 'botB',
        [`WECOM_BOT_SECRET_${B}`]: 'sB',
        [`WECOM_WS_URL_${B}`]: servers.b.url,
        WECOM_BOT_ID: undefined,
        LOG_LEVEL: 'info',
      },
      cleanups,
    );
    await Promise.all([servers.a.waitAuthenticated(), servers.b.waitAuthenticated()]);

    const qa = servers.a.deliver(textMsg({ userid: 'lisi', msgid: `a-${tag}` }, '帮助'));
    const qb = servers.b.deliver(textMsg({ userid: 'wangwu', msgid: `b-${tag}` }, '帮助'));
    expect((await servers.a.waitFrame(replyTo(qa), 20_000)).body!.stream.content).toMatch(/^我是墩集镇护苗助手/);
    expect((await servers.b.waitFrame(replyTo(qb), 20_000)).body!.stream.content).toMatch(/^我是青阳镇护苗助手/);

    // `ready` means both towns answer: each took its lease and brought its channel up before it.
    const records = () => bot.stderr.flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg?: string; town?: string; towns?: string[]; standby?: string[] }];
      } catch {
        return [];
      }
    });
    await expect.poll(() => records().some((r) => r.msg === 'ready'), { timeout: 10_000 }).toBe(true);
    const order = records().map((r) => `${r.msg}${r.town ? ` ${r.town}` : ''}`);
    const ready = order.indexOf('ready');
    for (const t of [a, b]) {
      expect(order.indexOf(`town lease taken; starting the town ${t}`)).toBeGreaterThanOrEqual(0);
      expect(order.indexOf(`town lease taken; starting the town ${t}`)).toBeLessThan(order.indexOf(`town serving ${t}`));
      expect(order.indexOf(`town serving ${t}`)).toBeLessThan(ready);
    }
    expect(records().find((r) => r.msg === 'ready')).toMatchObject({ towns: [a, b], standby: [] });
    // This process takes both leases at once: it never says it waits for one.
    expect(order.filter((m) => m.startsWith('waiting for the town lease'))).toEqual([]);

    const users = async (t: string) => (await client.query(`SELECT last_user_id, town FROM town_${t}.chats ORDER BY 1`)).rows;
    expect(await users(a)).toEqual([{ last_user_id: 'lisi', town: a }]);
    expect(await users(b)).toEqual([{ last_user_id: 'wangwu', town: b }]);
    const holders = (await client.query('SELECT DISTINCT holder FROM humiao.leases WHERE town = ANY($1)', [[a, b]])).rows;
    expect(holders).toHaveLength(1);

    // Another process takes town A's bot over: only town A stops, and its lease goes back at once.
    const expired = async (t: string) => (await client.query('SELECT expires_at <= now() AS over FROM humiao.leases WHERE town = $1', [t])).rows[0]?.over;
    servers.a.kick();
    await expect.poll(() => expired(a), { timeout: 20_000, interval: 100 }).toBe(true);
    expect(await expired(b)).toBe(false);
    expect(bot.child.exitCode).toBeNull();
    const qb2 = servers.b.deliver(textMsg({ userid: 'wangwu', msgid: `b2-${tag}` }, '帮助'));
    expect((await servers.b.waitFrame(replyTo(qb2), 20_000)).body!.stream.content).toMatch(/^我是青阳镇护苗助手/);
    expect(bot.stderr.some((l) => l.includes('town stopped: its chat channel failed') && l.includes(a))).toBe(true);
    expect(servers.a.connections).toBe(1);

    // With no town left the process ends, with the channel's exit code.
    servers.b.kick();
    expect(await bot.exit).toBe(3);
  });

  it('runs a scripted console conversation on PostgreSQL and exits, giving the lease back', { timeout: 60_000 }, async () => {
    const town = `con_${randomBytes(3).toString('hex')}`;
    const client = await pgClientForTowns([town], cleanups);
    const dir = mkdtempSync(join(tmpdir(), 'humiao-console-pg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'town.yaml'), `id: ${town}\n${readFileSync(join(repoRoot, 'humiao.config.example.yaml'), 'utf8')}`);
    const r = runBot(['留守儿童谁牵头'], { DATABASE_URL: pgTestUrl, HUMIAO_CONFIG: join(dir, 'town.yaml') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('农村留守儿童的牵头单位：镇民政所。');
    expect((await client.query(`SELECT count(*)::int AS n FROM town_${town}.inbound`)).rows[0].n).toBe(1);
    expect((await client.query('SELECT expires_at <= now() AS free FROM humiao.leases WHERE town = $1', [town])).rows).toEqual([{ free: true }]);
  });

  it('says in one line that PostgreSQL cannot be reached, and that backups are pg_dump\'s job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-pg-errors-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const town = `err_${randomBytes(3).toString('hex')}`;
    writeFileSync(join(dir, 'town.yaml'), `id: ${town}\n${readFileSync(join(repoRoot, 'humiao.config.example.yaml'), 'utf8')}`);
    const env = { HUMIAO_CONFIG: join(dir, 'town.yaml') };
    // A port nothing listens on.
    const down = runBot(['帮助'], { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
    expect(down.code).toBe(5);
    expect(down.stderr.trim()).toMatch(/^无法连接 PostgreSQL（DATABASE_URL）：connect ECONNREFUSED 127\.0\.0\.1:1$/);
    const cli = runCli(['audit', 'verify'], { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
    expect([cli.code, cli.stderr.trim().split('\n')]).toEqual([5, ['无法连接 PostgreSQL（DATABASE_URL）：connect ECONNREFUSED 127.0.0.1:1']]);

    await pgClientForTowns([town], cleanups); // drops the town's schema afterwards
    const backup = runCli(['backup', join(dir, 'b.db')], { ...env, DATABASE_URL: pgTestUrl });
    expect(backup.code).toBe(2);
    expect(backup.stderr).toContain(`请用 PostgreSQL 自带的工具备份，例如：pg_dump --schema=town_${town}`);
  });
});
