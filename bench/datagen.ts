import type { CategoryCode, PlanMatrix } from '../src/domain/plan/types.js';
import type { NewCase, NewContact } from '../src/domain/model/records.js';
import type { Store } from '../src/domain/ports/store.js';
import { localDateKey, toLocal } from '../src/domain/calendar/shanghai.js';

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

// Surnames in rough order of frequency and given-name characters people use: with one or two
// given characters this makes hundreds of thousands of distinct names, as a county has.
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '子梓浩宇轩涵欣怡诗雨晨俊杰博文佳琪思睿泽一可馨嘉豪明辉静雅婷欢乐天瑞鑫磊强伟芳娜敏丽秀英华勇军洋艳超涛鹏飞宏志国建平安宁心悦彤妍萱铭昊然凯旭阳云海峰波霖雪梅兰春秋冬玉珍晶莹颖慧聪毅诚信义礼智仁德福禄寿喜庆康健';
/** Towns of the county; each has its villages, named as the county's registers name them. */
const TOWNS = ['墩集镇', '柳河镇', '高桥镇', '新集镇', '龙泉乡', '城南街道'];
const VILLAGE_ROOTS = '东西南北前后大小新老上下中王李张刘陈杨孙马朱胡何高林郭';
const VILLAGE_TAILS = ['庄', '村', '营', '集', '湾', '岗', '圩', '楼'];
/** Issuing area codes for the ID numbers (one county's). */
const AREA = ['341221', '341222', '341225', '341226'];
const CODES: CategoryCode[] = ['01', '02', '03', '04', '05'];
const METHODS = ['上门', '电话', '微信', '在校', '其他'] as const;
const DAY = 86_400_000;

const ymd = (d: Date) => localDateKey(d);

/** Dozens of villages across the county's towns (`墩集镇东庄村`), the same every run. */
export function countyVillages(perTown = 8, seed = 7): string[] {
  const r = rng(seed);
  const out = new Set<string>();
  for (const town of TOWNS) {
    let n = 0;
    while (n < perTown) {
      const v = `${town}${VILLAGE_ROOTS[Math.floor(r() * VILLAGE_ROOTS.length)]}${VILLAGE_TAILS[Math.floor(r() * VILLAGE_TAILS.length)]}村`;
      if (!out.has(v)) (out.add(v), n++);
    }
  }
  return [...out];
}

/** An 18-digit resident ID number with a valid check digit, for a birth day `YYYY-MM-DD`. */
function idNumber(r: () => number, birth: string, male: boolean): string {
  const seq = String(Math.floor(r() * 50) * 2 + (male ? 1 : 0)).padStart(3, '0').slice(-3);
  const body = `${AREA[Math.floor(r() * AREA.length)]}${birth.replaceAll('-', '')}${seq}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((n, d, i) => n + Number(d) * w[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

/** A distinct mobile number per call (a county's guardians do not share one). */
function phones(r: () => number): () => string {
  const used = new Set<string>();
  const prefixes = ['138', '139', '150', '151', '158', '159', '177', '180', '187', '189', '135', '136'];
  return () => {
    for (;;) {
      const p = prefixes[Math.floor(r() * prefixes.length)]! + String(Math.floor(r() * 1e8)).padStart(8, '0');
      if (!used.has(p)) return (used.add(p), p);
    }
  };
}

/** Cases and contacts through the store's own API, in large transactions. */
export async function generate(store: Store, plan: PlanMatrix, villages: string[], members: string[], scale: Scale, asOf: Date, seed = 42): Promise<void> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const lead = new Map(plan.categories.map((c) => [c.code, c.leadUnits]));
  const start = asOf.getTime() - scale.months * 30 * DAY;
  const created: Array<{ id: number; at: number; mentor: string; closedAt: number | null }> = [];
  const phone = phones(r);
  const name = () => pick([...SURNAMES]) + pick([...GIVEN]) + (r() < 0.8 ? pick([...GIVEN]) : '');
  const relations = [['祖母', '祖辈监护'], ['祖父', '祖辈监护'], ['母亲', '父母监护'], ['父亲', '父母监护'], ['姑姑', '亲属监护']] as const;
  const CHUNK = 5_000;
  for (let i = 0; i < scale.cases; i += CHUNK) {
    await store.transaction(async () => {
      for (let j = i; j < Math.min(scale.cases, i + CHUNK); j++) {
        const at = new Date(start + Math.floor(r() * (asOf.getTime() - start - DAY)));
        const code = pick(CODES);
        const second = r() < 0.15 ? pick(CODES) : code;
        const codes = [...new Set([code, second])];
        const male = r() < 0.5;
        const birth = `${2004 + Math.floor(r() * 16)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
        const known = r() < 0.7;
        const rel = pick(relations);
        const mentor = pick(members);
        const c: NewCase = {
          code: await store.cases.nextCode('BM', toLocal(at).year),
          categories: codes.map((k) => ({ code: k, leadUnits: lead.get(k) ?? [] })),
          primaryCategory: code,
          fullName: name(),
          gender: male ? '男' : '女',
          // Most cadres know the ID number; the rest know a birth month.
          birthDate: known ? birth : birth.slice(0, 7),
          idNumber: known ? idNumber(r, birth, male) : null,
          idHash: null,
          dupKey: `bench-${seed}-${j}`,
          village: pick(villages),
          schoolStatus: '初中',
          schoolDetail: null,
          guardianName: name(),
          guardianRelation: rel[0],
          guardianPhone: phone(),
          guardianshipMode: rel[1],
          riskLevel: pick(['低', '低', '中', '高'] as const),
          mentorUserId: mentor,
          mentorName: null,
          reporterUserId: pick(members),
          bangjiaoName: null,
          bangjiaoPhone: null,
          notes: null,
          details: {},
          inferredFields: [],
          createdAt: at,
        };
        created.push({ id: (await store.cases.insert(c)).id, at: at.getTime(), mentor, closedAt: null });
      }
    });
  }
  // About one case in seven has been closed.
  await store.transaction(async () => {
    for (const c of created) {
      if (r() >= 0.15) continue;
      c.closedAt = Math.min(asOf.getTime() - DAY, c.at + (60 + Math.floor(r() * 400)) * DAY);
      await store.followup.close(c.id, 'C03', new Date(c.closedAt));
    }
  });
  // Missed visits cluster: most mentors keep up, some often miss a month (busy, away, unreachable).
  const missRate = new Map(members.map((m) => [m, r() < 0.15 ? 0.35 + r() * 0.4 : r() * 0.06]));
  // Contacts as the plan wants them: one a month from the month after registration, with months
  // missed at the rate that makes the scale's total (about one in twelve at both scales).
  const months = created.map((c) => {
    const d = toLocal(new Date(c.at));
    const e = toLocal(new Date(c.closedAt ?? asOf.getTime() - DAY));
    return { id: c.id, y: d.year, m: d.month, endKey: e.year * 12 + e.month - 1, first: c.at, last: c.closedAt ?? asOf.getTime() - DAY, miss: missRate.get(c.mentor)! };
  });
  const possible = months.reduce((n, c) => n + Math.max(0, c.endKey - (c.y * 12 + c.m) + 1) * (1 - c.miss), 0);
  const keep = Math.min(1, scale.contacts / possible);
  let made = 0;
  let pending: NewContact[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    await store.transaction(async () => {
      for (const c of batch) await store.followup.addContact(c);
    });
  };
  outer: for (const c of months) {
    for (let k = c.y * 12 + c.m; k <= c.endKey; k++) {
      if (made >= scale.contacts) break outer;
      if (r() < c.miss || r() >= keep) continue;
      const y = Math.floor(k / 12);
      const m = (k % 12) + 1;
      const dayOfMonth = 1 + Math.floor(r() * 28);
      // Never after the case was closed, never in the future.
      const at = Math.max(c.first, Math.min(c.last, Date.UTC(y, m - 1, dayOfMonth, 2)));
      pending.push({ caseId: c.id, date: ymd(new Date(at)), method: pick(METHODS), notes: '情况稳定', riskLevel: null, loggedBy: pick(members), createdAt: new Date(at) });
      made++;
      if (pending.length >= CHUNK) await flush();
    }
  }
  await flush();
}
