import type { CategoryCode, PlanMatrix } from '../src/domain/plan/types.js';
import type { NewCase, NewContact, Store } from '../store/store.js';

/** mulberry32: a small seeded generator, so every run builds the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Scale {
  name: string;
  cases: number;
  contacts: number;
  /** Cases are registered over this many months before `asOf`. */
  months: number;
}

export const TOWN: Scale = { name: '镇（2,000 个案，5 年逐月走访）', cases: 2_000, contacts: 55_000, months: 60 };
export const COUNTY: Scale = { name: '县（100,000 个案，120 万次走访）', cases: 100_000, contacts: 1_200_000, months: 28 };

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = '小明刚强丽娜伟芳军杰涛敏静磊洋艳勇超秀英华';
const CODES: CategoryCode[] = ['01', '02', '03', '04', '05'];
const METHODS = ['上门', '电话', '微信', '在校', '其他'] as const;
const DAY = 86_400_000;

const ymd = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** Cases and contacts through the store's own API, in large transactions. */
export function generate(store: Store, plan: PlanMatrix, villages: string[], members: string[], scale: Scale, asOf: Date, seed = 42): void {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const lead = new Map(plan.categories.map((c) => [c.code, c.leadUnits]));
  const start = asOf.getTime() - scale.months * 30 * DAY;
  const created: Array<{ id: number; at: number }> = [];
  const CHUNK = 5_000;
  for (let i = 0; i < scale.cases; i += CHUNK) {
    store.transaction(() => {
      for (let j = i; j < Math.min(scale.cases, i + CHUNK); j++) {
        const at = new Date(start + Math.floor(r() * (asOf.getTime() - start - DAY)));
        const code = pick(CODES);
        const second = r() < 0.15 ? pick(CODES) : code;
        const codes = [...new Set([code, second])];
        const c: NewCase = {
          code: store.cases.nextCode('BM', new Date(at.getTime() + 8 * 3600_000).getUTCFullYear()),
          categories: codes.map((k) => ({ code: k, leadUnits: lead.get(k) ?? [] })),
          primaryCategory: code,
          fullName: pick([...SURNAMES]) + pick([...GIVEN]) + pick([...GIVEN]),
          gender: r() < 0.5 ? '男' : '女',
          birthDate: `${2008 + Math.floor(r() * 10)}-0${1 + Math.floor(r() * 9)}`,
          idNumber: null,
          idHash: null,
          dupKey: `bench-${seed}-${j}`,
          village: pick(villages),
          schoolStatus: '初中',
          schoolDetail: null,
          guardianName: '张桂兰',
          guardianRelation: '祖母',
          guardianPhone: '13812345678',
          guardianshipMode: '祖辈监护',
          riskLevel: pick(['低', '低', '中', '高'] as const),
          mentorUserId: pick(members),
          mentorName: null,
          reporterUserId: pick(members),
          bangjiaoName: null,
          bangjiaoPhone: null,
          notes: null,
          details: {},
          inferredFields: [],
          createdAt: at,
        };
        created.push({ id: store.cases.insert(c).id, at: at.getTime() });
      }
    });
  }
  // About one case in seven has been closed.
  store.transaction(() => {
    for (const c of created) if (r() < 0.15) store.followup.close(c.id, 'C03', new Date(Math.min(asOf.getTime() - DAY, c.at + 200 * DAY)));
  });
  // Contacts as the plan wants them: one a month from the month after registration, with months
  // missed at the rate that makes the scale's total (about one in twelve at both scales).
  const months = created.map((c) => {
    const d = new Date(c.at + 8 * 3600_000);
    return { id: c.id, y: d.getUTCFullYear(), m: d.getUTCMonth() + 1 };
  });
  const end = new Date(asOf.getTime() + 8 * 3600_000);
  const endKey = end.getUTCFullYear() * 12 + end.getUTCMonth();
  const possible = months.reduce((n, c) => n + Math.max(0, endKey - (c.y * 12 + c.m) + 1), 0);
  const keep = Math.min(1, scale.contacts / possible);
  let made = 0;
  let pending: NewContact[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    store.transaction(() => {
      for (const c of batch) store.followup.addContact(c);
    });
  };
  outer: for (const c of months) {
    for (let k = c.y * 12 + c.m; k <= endKey; k++) {
      if (made >= scale.contacts) break outer;
      if (r() >= keep) continue;
      const y = Math.floor(k / 12);
      const m = (k % 12) + 1;
      const dayOfMonth = 1 + Math.floor(r() * 28);
      const at = Math.min(asOf.getTime() - DAY, Date.UTC(y, m - 1, dayOfMonth, 2));
      pending.push({ caseId: c.id, date: ymd(new Date(at)), method: pick(METHODS), notes: '情况稳定', riskLevel: null, loggedBy: pick(members), createdAt: new Date(at) });
      made++;
      if (pending.length >= CHUNK) flush();
    }
  }
  flush();
}
