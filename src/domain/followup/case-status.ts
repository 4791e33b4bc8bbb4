import type { FollowupConfig } from '../../config/schema.js';
import type { CaseSummary } from '../model/records.js';
import type { OpenSummaryFilter, Store } from '../ports/store.js';
import { maskName } from '../privacy/mask.js';
import { caseDue, FREQUENCIES, previousWindow, windowAt, type CaseDue, type Frequency } from './contact-rule.js';
import { localDateKey } from '../calendar/shanghai.js';

export interface CaseStatus {
  c: CaseSummary;
  due: CaseDue;
}

/**
 * Every open case (optionally filtered) with where it stands on the contact rule at `at`.
 * `notContactedSince` (a day) narrows the scan, in the database, to cases with no contact from
 * that day to `at`: the overdue and due-soon jobs ask only about those. `only` narrows it, also
 * in the database, to one mentor's or one lead unit's cases.
 */
export async function openCaseStatuses(
  store: Store,
  cfg: FollowupConfig,
  at: Date,
  keep: (c: CaseSummary) => boolean = () => true,
  notContactedSince?: string,
  only: Pick<OpenSummaryFilter, 'mentorUserId' | 'leadUnit'> = {},
): Promise<CaseStatus[]> {
  const day = localDateKey(at);
  const out: CaseStatus[] = [];
  for await (const c of eachOpenSummary(store, notContactedSince === undefined ? only : { ...only, notContactedSince, asOfDay: day })) {
    if (keep(c)) out.push(await caseStatus(store, cfg, at, c));
  }
  return out;
}

/** Where one case stands on the contact rule at `at` (its latest contact on or before that day). */
export async function caseStatus(store: Store, cfg: FollowupConfig, at: Date, c: CaseSummary): Promise<CaseStatus> {
  const day = localDateKey(at);
  const last = c.lastContactDate === null || c.lastContactDate <= day ? c.lastContactDate : await store.followup.lastContactOn(c.id, day);
  return { c, due: caseDue(c, last, cfg, at) };
}

/** Cases read per page by county-wide scans: a few hundred kilobytes, not the whole county at once. */
const PAGE = 2_000;

/**
 * The open summaries matching `filter` in id order, read a page at a time. A scan that keeps only
 * some of them (one mentor's, those that need a message) then never holds the others.
 */
export async function* eachOpenSummary(store: Store, filter: Omit<OpenSummaryFilter, 'afterId' | 'limit'> = {}, pageSize = PAGE): AsyncGenerator<CaseSummary> {
  for (let afterId = 0; ; ) {
    const page = await store.cases.openSummaries({ ...filter, afterId, limit: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    afterId = page[page.length - 1]!.id;
  }
}

/**
 * The first day of the window before the current one of the most frequent rule in use (monthly
 * unless the plan or config sets a shorter one): a case contacted on or after it cannot be
 * overdue under any frequency in use (longer rules' previous windows start earlier still).
 */
export function overdueCandidatesSince(at: Date, cfg?: Pick<FollowupConfig, 'frequency'>): string {
  const used = new Set<Frequency>(['monthly', ...Object.values(cfg?.frequency ?? {})]);
  const shortest = FREQUENCIES.find((f) => used.has(f)) ?? 'monthly';
  return previousWindow(windowAt(shortest, at)).start;
}

const WINDOW_WORD: Record<Frequency, [string, string]> = {
  weekly: ['本周', '周'],
  'half-monthly': ['本半月', '个半月'],
  monthly: ['本月', '个月'],
  quarterly: ['本季度', '个季度'],
  'half-yearly': ['本半年', '个半年'],
};
const windowWord = (d: CaseDue) => WINDOW_WORD[d.frequency][0];

export function dueLabel(d: CaseDue): string {
  switch (d.state) {
    case 'done':
      return `${windowWord(d)}已联系`;
    case 'pending':
      return `${windowWord(d)}待联系`;
    case 'new':
      return '本期新建档';
    case 'overdue':
      return d.missedInARow > 1 ? `逾期（连续 ${d.missedInARow} ${WINDOW_WORD[d.frequency][1]}未联系）` : '逾期（上期未联系）';
  }
}

/** `11月3日`, or 「无记录」. */
export function shortDate(key: string | null): string {
  if (!key) return '无记录';
  const [, m, d] = key.split('-').map(Number);
  return `${m}月${d}日`;
}

/**
 * One line about a case for a private chat with an authorised user: code, masked name, village,
 * last contact, due state. Never used for groups.
 */
export function privateCaseLine(s: CaseStatus): string {
  return `${s.c.code} ${maskName(s.c.fullName)}（${s.c.village}）最近联系：${shortDate(s.due.lastContact)}，${dueLabel(s.due)}`;
}
