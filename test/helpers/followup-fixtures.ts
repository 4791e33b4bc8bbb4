import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followupHandlers } from '../../handlers/followup.js';
import type { AppDeps, Handler } from '../../src/core/context.js';
import { fixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/domain/model/message.js';
import { Router } from '../../src/core/router.js';
import type { CategoryCode } from '../../src/domain/plan/types.js';
import { silentLogger } from '../../src/core/log.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { CaseRecord, NewCase } from '../../src/domain/model/records.js';
import { plan } from './intake-harness.js';
import { exampleConfigText, testConfig } from './deps.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

/** Lead units of the bundled plan, per category. */
export const LEAD: Record<CategoryCode, string[]> = {
  '01': ['墩集中学', '墩集中心校', '镇社保所'],
  '02': ['镇派出所'],
  '03': ['镇民政所'],
  '04': ['镇司法所'],
  '05': ['镇民政所'],
};

/** Example config plus a second 民政所 member and a 司法所 group, so units and groups can be told apart. */
export const FOLLOWUP_CONFIG = exampleConfigText
  .replace('members:', 'members:\n  - { userid: qianjiu, name: 钱九, unit: 镇民政所, role: staff }')
  .replace('groups:', 'groups:\n  - { chatid: wrkJustice, name: 司法所工作群, unit: 镇司法所 }');

export interface CaseSpec {
  code: string;
  name?: string;
  village?: string;
  categories?: CategoryCode[];
  birthDate?: string;
  mentor?: string | null;
  createdAt: Date;
  riskLevel?: '低' | '中' | '高';
}

export function addCase(store: SqliteStore, s: CaseSpec): Promise<CaseRecord> {
  const cats = s.categories ?? ['05'];
  const mentor = s.mentor === undefined ? 'wangwu' : s.mentor;
  const c: NewCase = {
    code: s.code,
    categories: cats.map((code) => ({ code, leadUnits: LEAD[code] })),
    primaryCategory: cats[0]!,
    fullName: s.name ?? '王小明',
    gender: '男',
    birthDate: s.birthDate ?? '2014-05-06',
    idNumber: null,
    idHash: null,
    dupKey: `k-${s.code}`,
    village: s.village ?? '王庄村',
    schoolStatus: null,
    schoolDetail: null,
    guardianName: '张桂兰',
    guardianRelation: '祖母',
    guardianPhone: '13812345678',
    guardianshipMode: null,
    riskLevel: s.riskLevel ?? '低',
    mentorUserId: mentor,
    mentorName: mentor ? (testConfig(FOLLOWUP_CONFIG).members.find((m) => m.userid === mentor)?.name ?? null) : null,
    reporterUserId: 'zhouba',
    bangjiaoName: null,
    bangjiaoPhone: null,
    notes: null,
    details: {},
    inferredFields: [],
    createdAt: s.createdAt,
  };
  return store.cases.insert(c);
}

export interface FollowupHarness {
  store: SqliteStore;
  clock: ReturnType<typeof fixedClock>;
  deps: AppDeps;
  file: string;
  say(userId: string, text: string, group?: string): Promise<string>;
  replies(userId: string, text: string, group?: string): Promise<Reply[]>;
  reopen(): Promise<void>;
}

const passThrough: Handler = { name: 'qa-stand-in', handle: () => [{ text: '[Q&A]' }] };

export async function followupHarness(opts: { start?: Date; file?: boolean } = {}): Promise<FollowupHarness> {
  const file = opts.file ? join(mkdtempSync(join(tmpdir(), 'humiao-followup-')), 'humiao.db') : ':memory:';
  const clock = fixedClock(opts.start ?? new Date('2026-11-20T02:00:00Z'));
  const config = testConfig(FOLLOWUP_CONFIG);
  let store = await openSqliteStore(file);
  let deps: AppDeps = { config, store, lookup: plainLookupKeys, plan, clock, log: silentLogger };
  let router = new Router(deps, [...followupHandlers, passThrough]);
  let n = 0;
  const replies = async (userId: string, text: string, group?: string) =>
    (await router.dispatch({
      id: `f${++n}`, channel: 'test', userId, chatId: group ?? userId, chatType: group ? 'group' : 'single',
      kind: 'text', text, receivedAt: clock.now(),
    })).replies;
  return {
    get store() { return store; },
    get deps() { return deps; },
    clock,
    file,
    replies,
    say: async (u, t, g) => (await replies(u, t, g)).map((r) => r.text + (r.choices ? '\n' + r.choices.map((x) => `[${x.label}]`).join(' ') : '')).join('\n'),
    async reopen() {
      await store.close();
      store = await openSqliteStore(file);
      deps = { config, store, lookup: plainLookupKeys, plan, clock, log: silentLogger };
      router = new Router(deps, [...followupHandlers, passThrough]);
    },
  } as FollowupHarness;
}
