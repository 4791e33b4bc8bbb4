import { describe, expect, it } from 'vitest';
import { caseDue, contactedIn, frequencyOf, halfMonthWindow, halfYearWindow, isDueIn, monthWindow, previousWindow, quarterWindow, weekWindow, windowAt, type Frequency } from '../../../src/domain/followup/contact-rule.js';
import { dueLabel } from '../../../src/domain/followup/case-status.js';
import { parseContactDate } from '../../../src/domain/followup/contact-date.js';
import { reachedMilestones } from '../../../src/domain/followup/milestones.js';
import { quarterStats } from '../../../src/domain/followup/quarterly-stats.js';
import { quarterlyMarkdown } from '../../../src/domain/followup/quarterly-markdown.js';
import { fromLocal } from '../../../src/domain/calendar/shanghai.js';
import type { CaseRecord, ContactRecord } from '../../../src/domain/model/records.js';
import { testConfig } from '../../helpers/deps.js';
import { plan } from '../../helpers/intake-harness.js';

const cfg = testConfig().followup;
const quarterlyFor05 = { ...cfg, frequency: { '05': 'quarterly' as const } };

let nextId = 1;
function kase(over: Partial<CaseRecord> & { cats?: Array<'01' | '02' | '03' | '04' | '05'> }): CaseRecord {
  const cats = over.cats ?? ['05'];
  return {
    id: nextId++, code: `DJ-2026-${String(nextId).padStart(4, '0')}`, categories: cats.map((code) => ({ code, leadUnits: ['镇民政所'] })),
    primaryCategory: cats[0]!, fullName: '王小明', gender: '男', birthDate: '2012-01-01', idNumber: null, idHash: null, dupKey: 'k',
    village: '王庄村', schoolStatus: null, schoolDetail: null, guardianName: null, guardianRelation: null, guardianPhone: null,
    guardianshipMode: null, riskLevel: '低', mentorUserId: 'wangwu', mentorName: '王五', reporterUserId: 'zhouba', bangjiaoName: null,
    bangjiaoPhone: null, notes: null, details: {}, inferredFields: [], createdAt: fromLocal(2026, 1, 5), status: 'open',
    updatedAt: fromLocal(2026, 1, 5), closedAt: null, closeReason: null, sealed: false, ...over,
  };
}

describe('contact rule', () => {
  it('makes a case due from the first window after registration until the window it is closed in', () => {
    const c = kase({ createdAt: fromLocal(2026, 3, 31, 23, 30) });
    expect(isDueIn(c, monthWindow(2026, 3))).toBe(false);
    expect(isDueIn(c, monthWindow(2026, 4))).toBe(true);
    const closed = kase({ createdAt: fromLocal(2026, 1, 1), closedAt: fromLocal(2026, 5, 10) });
    expect(isDueIn(closed, monthWindow(2026, 4))).toBe(true);
    expect(isDueIn(closed, monthWindow(2026, 5))).toBe(false);
  });

  it('uses the Shanghai calendar at month ends', () => {
    const c = kase({ createdAt: fromLocal(2026, 1, 1) });
    // 23:30 on 31 March in Shanghai is still March, though it is 15:30 UTC.
    expect(caseDue(c, '2026-03-31', cfg, fromLocal(2026, 3, 31, 23, 30)).state).toBe('done');
    expect(caseDue(c, '2026-03-31', cfg, fromLocal(2026, 4, 1, 0, 10)).state).toBe('pending');
  });

  it('counts missed windows in a row and clears them with a contact', () => {
    const c = kase({ createdAt: fromLocal(2025, 12, 20) });
    expect(caseDue(c, '2026-01-10', cfg, fromLocal(2026, 4, 2))).toMatchObject({ state: 'overdue', missedInARow: 2, lastContact: '2026-01-10' });
    expect(caseDue(c, '2026-04-01', cfg, fromLocal(2026, 4, 2)).state).toBe('done');
    expect(caseDue(c, null, cfg, fromLocal(2026, 4, 2))).toMatchObject({ state: 'overdue', missedInARow: 3, lastContact: null });
  });

  it('follows the most frequent category, and quarters for quarterly ones', () => {
    expect(frequencyOf(kase({ cats: ['05'] }), quarterlyFor05)).toBe('quarterly');
    expect(frequencyOf(kase({ cats: ['05', '02'] }), quarterlyFor05)).toBe('monthly');
    const c = kase({ createdAt: fromLocal(2025, 12, 1) });
    expect(caseDue(c, '2026-01-15', quarterlyFor05, fromLocal(2026, 3, 20)).state).toBe('done');
    expect(caseDue(c, '2026-01-15', quarterlyFor05, fromLocal(2026, 5, 20)).state).toBe('pending');
    expect(previousWindow(quarterWindow(2026, 1))).toEqual(quarterWindow(2025, 4));
  });
});

describe('contact rule: the plan’s other periods', () => {
  const rule = (f: Frequency, code: '01' | '02' | '03' | '04' | '05' = '05') => ({ ...cfg, frequency: { [code]: f } });

  it('has week (Monday–Sunday), half-month and half-year windows that chain back', () => {
    expect(weekWindow('2026-03-12')).toMatchObject({ start: '2026-03-09', end: '2026-03-15' });
    expect(previousWindow(weekWindow('2026-03-02'))).toMatchObject({ start: '2026-02-23', end: '2026-03-01' });
    expect(windowAt('half-monthly', fromLocal(2026, 2, 16))).toEqual(halfMonthWindow(2026, 2, true));
    expect(halfMonthWindow(2026, 2, true).end).toBe('2026-02-28');
    expect(previousWindow(halfMonthWindow(2026, 1, false))).toEqual(halfMonthWindow(2025, 12, true));
    expect(previousWindow(halfYearWindow(2026, false))).toEqual(halfYearWindow(2025, true));
    // Sunday 23:30 in Shanghai is still that week.
    expect(windowAt('weekly', fromLocal(2026, 3, 15, 23, 30)).start).toBe('2026-03-09');
  });

  it('follows the most frequent rule of a case’s categories', () => {
    const mixed = { ...cfg, frequency: { '05': 'half-monthly' as const, '04': 'quarterly' as const } };
    expect(frequencyOf(kase({ cats: ['04', '05'] }), mixed)).toBe('half-monthly');
    expect(frequencyOf(kase({ cats: ['04'] }), mixed)).toBe('quarterly');
    expect(frequencyOf(kase({ cats: ['02'] }), mixed)).toBe('monthly');
  });

  it('is overdue after a missed half month, and counts weeks missed in a row', () => {
    const c = kase({ createdAt: fromLocal(2026, 3, 10) });
    expect(caseDue(c, null, rule('half-monthly'), fromLocal(2026, 3, 12)).state).toBe('new');
    expect(caseDue(c, null, rule('half-monthly'), fromLocal(2026, 3, 20)).state).toBe('pending');
    expect(caseDue(c, null, rule('half-monthly'), fromLocal(2026, 4, 1))).toMatchObject({ state: 'overdue', missedInARow: 1 });
    expect(caseDue(c, '2026-03-20', rule('half-monthly'), fromLocal(2026, 4, 1)).state).toBe('pending');
    const d = caseDue(c, null, rule('weekly'), fromLocal(2026, 4, 1));
    expect(d).toMatchObject({ state: 'overdue', missedInARow: 2 });
    expect(dueLabel(d)).toBe('逾期（连续 2 周未联系）');
    expect(caseDue(c, null, rule('half-yearly'), fromLocal(2026, 6, 30)).state).toBe('new');
    expect(caseDue(c, null, rule('half-yearly'), fromLocal(2026, 8, 1)).state).toBe('pending');
    expect(dueLabel(caseDue(c, '2026-07-02', rule('half-yearly'), fromLocal(2026, 8, 1)))).toBe('本半年已联系');
  });

  it('agrees with walking back window by window, for every period', () => {
    for (const f of ['weekly', 'half-monthly', 'monthly', 'quarterly', 'half-yearly'] as const) {
      for (let i = 0; i < 60; i++) {
        const created = fromLocal(2025, 1 + (i % 12), 1 + ((i * 7) % 28), (i * 5) % 24);
        const at = new Date(created.getTime() + (i + 1) * 9 * 86_400_000);
        const c = kase({ createdAt: created });
        const last = i % 3 === 0 ? null : new Date(created.getTime() + (i % 5) * 11 * 86_400_000);
        const lastKey = last && last <= at ? last.toISOString().slice(0, 10) : null;
        const d = caseDue(c, lastKey, rule(f), at);
        let missed = 0;
        const dates = lastKey ? [lastKey] : [];
        if (!contactedIn(dates, d.current)) {
          for (let w = previousWindow(d.current); missed < 240 && isDueIn(c, w) && !contactedIn(dates, w); w = previousWindow(w)) missed++;
        }
        expect(d.missedInARow, `${f} #${i}`).toBe(d.state === 'overdue' ? missed : 0);
      }
    }
  });
});

describe('contact dates', () => {
  const now = fromLocal(2026, 3, 2, 8);
  it('reads relative and partial dates in the Shanghai calendar', () => {
    expect(parseContactDate('昨天', now)).toEqual({ ok: true, date: '2026-03-01' });
    expect(parseContactDate('前天', now)).toEqual({ ok: true, date: '2026-02-28' });
    expect(parseContactDate('三天前', now)).toEqual({ ok: true, date: '2026-02-27' });
    expect(parseContactDate('2月3日', now)).toEqual({ ok: true, date: '2026-02-03' });
    expect(parseContactDate('二月三号', now)).toEqual({ ok: true, date: '2026-02-03' });
    expect(parseContactDate('1号', now)).toEqual({ ok: true, date: '2026-03-01' });
    expect(parseContactDate('2026-01-31', now)).toEqual({ ok: true, date: '2026-01-31' });
  });
  it('refuses future and impossible dates', () => {
    expect(parseContactDate('3号', now)).toEqual({ ok: false, reason: 'future' });
    expect(parseContactDate('2月30日', now)).toEqual({ ok: false, reason: 'invalid' });
    expect(parseContactDate('13月1日', now)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('age milestones', () => {
  it('counts an age as reached on the day after the birthday, and only after registration', () => {
    const c = kase({ birthDate: '2010-06-15', createdAt: fromLocal(2025, 1, 1) });
    expect(reachedMilestones(c, fromLocal(2026, 6, 15, 12))).toEqual([]);
    expect(reachedMilestones(c, fromLocal(2026, 6, 16, 0, 1))).toEqual([{ age: 16, endedCategories: ['05'] }]);
    const older = kase({ birthDate: '2008-03-01', createdAt: fromLocal(2025, 1, 1), cats: ['04', '02'] });
    expect(reachedMilestones(older, fromLocal(2026, 3, 5))).toEqual([{ age: 18, endedCategories: ['04'] }]);
    // Registered at 17: the 16 milestone had passed before, so it never prompts.
    expect(reachedMilestones(kase({ birthDate: '2008-03-01', createdAt: fromLocal(2025, 6, 1) }), fromLocal(2025, 7, 1))).toEqual([]);
  });
  it('waits for every day a partial birth date may stand for', () => {
    const c = kase({ birthDate: '2010-06', createdAt: fromLocal(2025, 1, 1) });
    expect(reachedMilestones(c, fromLocal(2026, 6, 20))).toEqual([]);
    expect(reachedMilestones(c, fromLocal(2026, 7, 1, 12)).map((m) => m.age)).toEqual([16]);
  });
});

describe('quarterly statistics', () => {
  const contact = (caseId: number, date: string, method: ContactRecord['method'] = '电话'): ContactRecord =>
    ({ id: 0, caseId, date, method, notes: '', riskLevel: null, loggedBy: 'x', createdAt: new Date(0) });

  it('computes coverage per month and pooled for the quarter, with quarterly categories in the last month only', async () => {
    // m1, m2 monthly (不良); q quarterly (留守); late registered in November; gone closed in November.
    const m1 = kase({ cats: ['02'], createdAt: fromLocal(2026, 8, 1), village: '王庄村', riskLevel: '高' });
    const m2 = kase({ cats: ['02'], createdAt: fromLocal(2026, 8, 1), village: '霸王村' });
    const q = kase({ cats: ['05'], createdAt: fromLocal(2026, 8, 1), village: '王庄村' });
    const late = kase({ cats: ['02'], createdAt: fromLocal(2026, 11, 10), village: '王庄村', riskLevel: '中' });
    const gone = kase({ cats: ['02', '05'], createdAt: fromLocal(2026, 8, 1), closedAt: fromLocal(2026, 11, 15), status: 'closed', closeReason: 'C08 迁出本镇' });
    const contacts = [
      contact(m1.id, '2026-10-05'), contact(m1.id, '2026-11-05'), contact(m1.id, '2026-12-05', '上门'),
      contact(m2.id, '2026-10-06'),
      contact(q.id, '2026-11-20', '微信'),
      contact(late.id, '2026-12-01'),
      contact(gone.id, '2026-10-01'),
    ];
    const s = await quarterStats({
      quarter: '2026Q4', asOf: fromLocal(2027, 1, 10), cases: [m1, m2, q, late, gone], contacts,
      lastContacts: new Map([[m1.id, '2026-12-05'], [m2.id, '2026-10-06'], [q.id, '2026-11-20'], [late.id, '2026-12-01'], [gone.id, '2026-10-01']]),
      screenings: async (m) => (m === '2026-10' ? [{ period: m, unit: '镇派出所', userId: 'zhangsan', newRisks: 0, highRisks: 0, reportedAt: new Date() }] : []),
      reportingUnits: ['镇派出所', '镇民政所'], plan, cfg: quarterlyFor05, villages: ['王庄村', '霸王村', '项沟村'],
    });
    // October: m1, m2, gone due (monthly: gone has 不良) → m1, m2, gone contacted = 3/3.
    // November: m1, m2 due (gone closed in Nov, late registered in Nov) → m1 = 1/2.
    // December: m1, m2, late monthly + q quarterly (Q4 window) → m1, late, q = 3/4.
    expect(s.coverage.map((m) => [m.month, m.covered, m.due, m.complete])).toEqual([
      ['2026-10', 3, 3, true], ['2026-11', 1, 2, true], ['2026-12', 3, 4, true],
    ]);
    expect(s.quarterCoverage).toEqual({ due: 9, covered: 7, rate: 7 / 9 });
    expect(s.open).toBe(4);
    expect(s.newCases).toBe(1);
    expect(s.closed).toBe(1);
    expect(s.closedByReason).toEqual([{ label: '迁出本镇', count: 1 }]);
    expect(s.contacts).toBe(7);
    expect(s.contactsByMethod.find((x) => x.label === '上门')!.count).toBe(1);
    expect(s.byVillage).toEqual([{ label: '王庄村', count: 3 }, { label: '霸王村', count: 1 }, { label: '项沟村', count: 0 }]);
    expect(s.byRisk).toEqual([{ label: '低', count: 2 }, { label: '中', count: 1 }, { label: '高', count: 1 }]);
    // m2 missed November and December.
    expect(s.overdue).toBe(1);
    expect(s.screening.map((x) => [x.month, x.reported, x.missing])).toEqual([
      ['2026-10', ['镇派出所'], ['镇民政所']], ['2026-11', [], ['镇派出所', '镇民政所']], ['2026-12', [], ['镇派出所', '镇民政所']],
    ]);
    const group = quarterlyMarkdown(s, '墩集镇', true);
    expect(group).not.toMatch(/霸王村|项沟村|按类别|按村/);
    expect(quarterlyMarkdown(s, '墩集镇')).toContain('| 霸王村 | <3 |'.replace('<3', '1'));
    expect(group).toContain('帮扶覆盖率（本季度合计）：77.8%\n');
    expect(quarterlyMarkdown(s, '墩集镇')).toContain('77.8%（7/9）');
  });

  it('counts each case under its own category’s frequency: weekly, half-monthly, monthly, quarterly, half-yearly', async () => {
    // Another plan's rhythm: 流浪 weekly, 留守 half-monthly, 闲散 monthly, 服刑子女 quarterly, 不良 half-yearly.
    const rhythm = { ...cfg, frequency: { '03': 'weekly', '05': 'half-monthly', '01': 'monthly', '04': 'quarterly', '02': 'half-yearly' } as const };
    const created = fromLocal(2026, 6, 1);
    const weekly = kase({ cats: ['03'], createdAt: created });
    const half = kase({ cats: ['05'], createdAt: created });
    const monthly = kase({ cats: ['01'], createdAt: created });
    const quarterly = kase({ cats: ['04'], createdAt: created });
    const halfYear = kase({ cats: ['02'], createdAt: created });
    const contacts = [
      // weekly: the weeks of 5–11 and 12–18 October only.
      contact(weekly.id, '2026-10-06'), contact(weekly.id, '2026-10-13'),
      // half-monthly: the first half of October and the second half of November.
      contact(half.id, '2026-10-03'), contact(half.id, '2026-11-20'),
      // monthly: October only.
      contact(monthly.id, '2026-10-20'),
      // quarterly: once in November, so the Q4 window is kept.
      contact(quarterly.id, '2026-11-02'),
      // half-yearly: in August, a day of the second half year before this quarter: the H2 window is kept.
      contact(halfYear.id, '2026-08-15'),
    ];
    const s = await quarterStats({
      quarter: '2026Q4', asOf: fromLocal(2027, 1, 10), cases: [weekly, half, monthly, quarterly, halfYear], contacts,
      lastContacts: new Map([[weekly.id, '2026-10-13'], [half.id, '2026-11-20'], [monthly.id, '2026-10-20'], [quarterly.id, '2026-11-02'], [halfYear.id, '2026-08-15']]),
      screenings: async () => [], reportingUnits: [], plan, cfg: rhythm, villages: ['王庄村'],
    });
    // Weeks ending (on a Sunday) in Oct: 4, 11, 18, 25 → 4; Nov: 1, 8, 15, 22, 29 → 5; Dec: 6, 13, 20, 27 → 4.
    // October: 4 weeks (2 kept) + 2 halves (1) + 1 month (1) = 7 due, 4 covered.
    // November: 5 weeks (0) + 2 halves (1) + 1 month (0) = 8 due, 1 covered.
    // December: 4 weeks (0) + 2 halves (0) + 1 month (0) + the quarter (1) + the half year (1) = 9 due, 2 covered.
    expect(s.coverage.map((m) => [m.month, m.covered, m.due])).toEqual([
      ['2026-10', 4, 7], ['2026-11', 1, 8], ['2026-12', 2, 9],
    ]);
    expect(s.quarterCoverage).toEqual({ due: 24, covered: 7, rate: 7 / 24 });
    // Overdue at the quarter's end: the weekly, half-monthly and monthly cases missed their last window.
    expect(s.overdue).toBe(3);
    // Only the quarter's own contacts are counted as its work.
    expect(s.contacts).toBe(6);
  });
});
