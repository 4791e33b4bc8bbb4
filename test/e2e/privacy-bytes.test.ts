/**
 * The promise of docs/security.md, tested as an adversary with a copy of the disk would test it:
 * with the key set, register a child, look at the full record, close and reassign the case, run
 * every job, take a backup, then search every byte the bot wrote (database, WAL, audit head,
 * backup, log; on PostgreSQL every row of the town's schema) for the child's name, ID number,
 * guardian and phone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Channel, MessageSink } from '../../src/core/channel.js';
import type { PushTarget, Reply } from '../../src/domain/model/message.js';
import { GroupFilterChannel, SensitiveIndex } from '../../src/channels/group-filter.js';
import { createApp } from '../../src/app.js';
import { fixedClock } from '../../src/core/clock.js';
import { OutboxWorker } from '../../src/core/outbox-worker.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { buildJobs } from '../../schedules/jobs.js';
import { JobRunner } from '../../schedules/runner.js';
import { housekeeping } from '../../schedules/housekeeping.js';
import { testConfig } from '../helpers/deps.js';
import { makeId, plan } from '../helpers/intake-harness.js';
import { dumpTables, filesUnder, foundIn } from '../helpers/byte-search.js';
import { cleanupStores, storeKinds, type StoreKind } from '../helpers/stores.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

afterEach(cleanupStores);

class RecordingChannel implements Channel {
  readonly name = 'test';
  sink!: MessageSink;
  readonly sent: Array<{ target: PushTarget; reply: Reply }> = [];
  async start(sink: MessageSink): Promise<void> {
    this.sink = sink;
  }
  async push(target: PushTarget, reply: Reply): Promise<void> {
    this.sent.push({ target, reply });
  }
  async stop(): Promise<void> {}
}

const NAME = '郑小燕';
const GUARDIAN = '郑桂芬';
const PHONE = '13955501234';
const ID = makeId('34132420130506124');
const SECRETS = [NAME, GUARDIAN, PHONE, ID];

describe.each(storeKinds)('every byte the bot wrote, with the key set ($name)', (kind: StoreKind) => {
  it('holds no name, ID number, phone or guardian in plain text after a full working cycle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-bytes-'));
    const store = await kind.open({ cipher: new FieldCipher(randomBytes(32)), persistent: true });
    const log = pino({ level: 'debug' }, pino.destination({ dest: join(dir, 'humiao.log'), sync: true }));
    const clock = fixedClock(new Date('2026-03-10T02:00:00Z'));
    const config = testConfig();
    const deps = { config, store, lookup: plainLookupKeys, plan, clock, log };
    const app = createApp(deps);
    const inner = new RecordingChannel();
    const channel = new GroupFilterChannel(inner, new SensitiveIndex(store, config), log);
    await channel.start(async (m) => app.router.dispatch(m));
    const worker = new OutboxWorker(store, channel, clock, log);
    let n = 0;
    const say = async (user: string, text: string, group?: string) => {
      const r = await inner.sink({ id: `b${++n}`, channel: 'test', userId: user, chatId: group ?? user, chatType: group ? 'group' : 'single', kind: 'text', text, receivedAt: clock.now() });
      await worker.drainOnce();
      return r.replies.map((x) => x.text).join('\n');
    };

    await say('zhouba', `新增个案：${NAME}，女，2013年5月出生，王庄村，父母都在外地打工，由奶奶照顾，${ID}`);
    // The phone is not known at registration: it reaches the case later, through 「补充」.
    for (const a of ['小学', `${GUARDIAN} 电话不知道`, '苏州', '修改 帮扶责任人', '王五']) await say('zhouba', a);
    expect(await say('zhouba', '确认')).toContain('已保存个案 DJ-2026-0001');
    expect(await say('wangwu', `补充 DJ-2026-0001 监护人电话 ${PHONE}`)).toContain('已保存：监护人姓名和手机（手机）');
    await say('wangwu', '取消');
    expect(await say('lisi', '查看 DJ-2026-0001 完整 核实监护人联系方式')).toContain(NAME);
    await say('wangwu', `走访 DJ-2026-0001 上门 见到${NAME}和${GUARDIAN}，情况平稳`);
    await say('lisi', '更换帮扶人 DJ-2026-0001 孙七');
    await say('lisi', `结案 DJ-2026-0001 其他 ${NAME}随${GUARDIAN}迁往外省`);
    await say('lisi', '确认');
    // A year of jobs: every period of every job, then housekeeping.
    const runner = new JobRunner(deps, buildJobs(deps));
    for (let m = 0; m < 12; m++) {
      clock.set(new Date(Date.UTC(2026, 3 + m, 2, 2)));
      await runner.tick();
      await housekeeping(deps);
      await worker.drainOnce();
    }
    if (kind.name === 'sqlite') await store.backup(join(dir, 'backup.db'));
    log.flush();

    // The bot did its work: the case exists, was closed, the mentor changed, pushes went out.
    const c = (await store.cases.getByCode('DJ-2026-0001'))!;
    expect(c.status).toBe('closed');
    expect(c.mentorName).toBe('孙七');
    expect(inner.sent.length).toBeGreaterThan(3);
    expect((await store.audit.verify()).ok).toBe(true);

    const files = [...filesUnder(dir), ...(kind.name === 'sqlite' ? filesUnder(join((store as unknown as { file: string }).file, '..')) : [])];
    expect(files.map((f) => f.path).some((p) => p.endsWith('humiao.log'))).toBe(true);
    const leaks = files.map((f) => ({ path: f.path, found: foundIn(f.bytes, SECRETS) })).filter((f) => f.found.length > 0);
    expect(leaks).toEqual([]);
    expect(foundIn(await dumpTables(store), SECRETS)).toEqual([]);
  });
});
