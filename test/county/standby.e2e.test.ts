import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWecomServer, type Frame } from '../channels/wecom/fake-wecom-server.js';
import { repoRoot, spawnBot, type BotProcess } from '../helpers/spawn-bot.js';
import { pgEnabled, pgTestUrl } from '../helpers/stores.js';
import { pgClientForTowns } from '../helpers/pg-towns.js';

/**
 * Two real bot processes on one PostgreSQL town: the first holds the town's lease and the WeCom
 * connection, the second waits as a standby. kill -9 on the first: the standby takes over within
 * 30 s, sends what was still queued, and no reminder goes out twice or is lost.
 */

const BOT = 'aibStandby';
const SECRET = 'standby-secret';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function townConfig(townId: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-standby-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const example = readFileSync(join(repoRoot, 'humiao.config.example.yaml'), 'utf8');
  const file = join(dir, 'town.yaml');
  writeFileSync(file, `id: ${townId}\n${example}`);
  return file;
}

function startBot(server: FakeWecomServer, configFile: string): BotProcess {
  return spawnBot(
    {
      DATABASE_URL: pgTestUrl,
      HUMIAO_CONFIG: configFile,
      WECOM_BOT_ID: BOT,
      WECOM_BOT_SECRET: SECRET,
      WECOM_WS_URL: server.url,
      WECOM_RECONNECT_MS: '20',
      // Short lease so the test is quick; the arithmetic is the same as with the 15 s / 5 s defaults.
      // The owner keeps the town through a 4.5 s stall of its event loop (ttl − renew): on a loaded
      // 2-core box, its start and the dispatch's CPU work (encryption, rendering) must not cost it the lease.
      HUMIAO_LEASE_TTL_MS: '6000',
      HUMIAO_LEASE_RENEW_MS: '1500',
      HUMIAO_LEASE_POLL_MS: '500',
      LOG_LEVEL: 'info',
      // 15 s before the month's screening dispatch falls due (Thursday 2026-06-25 09:00): the
      // first process installs the town, then queues reminders to every unit while it owns it.
      HUMIAO_CLOCK: '2026-06-25T08:59:45+08:00',
    },
    cleanups,
  );
}

const logged = (bot: BotProcess, msg: string) => bot.stderr.some((l) => l.includes(`"msg":"${msg}`));

describe.skipIf(!pgEnabled)('a warm standby on PostgreSQL', () => {
  it('takes over within 30 s of kill -9, with every queued reminder sent once', { timeout: 90_000 }, async () => {
    const townId = `sb_${randomBytes(4).toString('hex')}`;
    const client = await pgClientForTowns([townId], cleanups);
    // The server delivers the owner's first push and then drops the rest unanswered, so the owner
    // dies with most of the queue unsent: the standby must send it. `delivered` is what users got.
    const delivered: Frame[] = [];
    let mute = false;
    const silent = (f: Frame): boolean => {
      if (f.cmd !== 'aibot_send_msg') return false;
      if (mute) return true;
      delivered.push(f);
      if (server.subscribes === 1) mute = true;
      return false;
    };
    // The town's groups wrote to the bot before; its people did not, so what is for them waits
    // (held) and their groups get one nudge each: those nudges and the group bulletins are the queue.
    const server: FakeWecomServer = await FakeWecomServer.start({ botId: BOT, secret: SECRET, silent, reachable: ['wrkGroup1', 'wrkPolice'] });
    cleanups.push(() => server.close());
    const config = townConfig(townId);

    const first = startBot(server, config);
    await server.waitAuthenticated();
    const second = startBot(server, config);
    await expect.poll(() => logged(second, 'waiting for the town lease'), { timeout: 30_000 }).toBe(true);
    // The standby says so and does not claim to be ready: it serves nothing yet. The owner said
    // ready once it held the lease and its channel was up, and never that it waited.
    await expect.poll(() => logged(second, 'standby: another process serves every town'), { timeout: 10_000 }).toBe(true);
    expect(logged(second, 'ready')).toBe(false);
    await expect.poll(() => logged(first, 'ready'), { timeout: 10_000 }).toBe(true);
    expect(logged(first, 'waiting for the town lease')).toBe(false);
    // At 09:00 on its clock the first process runs the screening dispatch: reminders to every
    // unit, queued in the outbox and sent paced. Wait until some went out.
    await server.waitFrame((f) => f.cmd === 'aibot_send_msg', 45_000);
    expect(server.subscribes).toBe(1);

    const sentBeforeKill = delivered.length;
    const killedAt = performance.now();
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exit;
    mute = false;
    await expect.poll(() => server.subscribes, { timeout: 30_000, interval: 50 }).toBe(2);
    const takeoverMs = performance.now() - killedAt;
    expect(takeoverMs).toBeLessThan(30_000);
    expect(logged(second, 'town lease taken')).toBe(true);
    // Having taken the town over, it serves: now it is ready.
    await expect.poll(() => logged(second, 'ready'), { timeout: 10_000 }).toBe(true);

    // Everything queued gets delivered; a row is never delivered twice (a push in flight at the
    // kill is the only possible repeat, WeCom having no idempotency key).
    const schema = `town_${townId}`;
    await expect
      .poll(async () => Number((await client.query(`SELECT count(*) AS n FROM ${schema}.outbox WHERE sent_at IS NULL AND held_at IS NULL AND given_up_at IS NULL`)).rows[0].n), {
        timeout: 30_000,
      })
      .toBe(0);
    const rows = Number((await client.query(`SELECT count(*) AS n FROM ${schema}.outbox WHERE sent_at IS NOT NULL`)).rows[0].n);
    // Nothing for a person was lost or sent to a group: it waits for them.
    expect(Number((await client.query(`SELECT count(*) AS n FROM ${schema}.outbox WHERE held_at IS NOT NULL AND sent_at IS NULL`)).rows[0].n)).toBeGreaterThan(0);
    const sends = delivered.length;
    expect(rows).toBeGreaterThan(sentBeforeKill);
    expect(sends).toBeGreaterThanOrEqual(rows);
    expect(sends).toBeLessThanOrEqual(rows + 1);
    // The jobs ran once, though two processes started and the second caught up after a crash:
    // no reminder was queued twice. A sent row's body is blanked, so rows are told apart by job
    // and target, not by text: one reminder per job and target, one nudge per person and group
    // (its key names both; the group gets one for each person it is for).
    const twice = await client.query(
      `SELECT target_id FROM ${schema}.outbox GROUP BY target_id, reason, CASE WHEN reason = 'outbox.nudge' THEN dedupe_key END HAVING count(*) > 1`,
    );
    expect(twice.rows).toEqual([]);
    expect(Number((await client.query(`SELECT count(*) AS n FROM ${schema}.job_runs`)).rows[0].n)).toBeGreaterThan(0);
    process.stdout.write(
      `standby takeover after kill -9: ${Math.round(takeoverMs)} ms (ttl 6 s, poll 0.5 s); ${rows} reminders, ${sentBeforeKill} sent before the kill, ${sends} sends in all\n`,
    );
  });
});
