import type { CategoryCode } from '../../src/domain/plan/types.js';
import type { ContactMethod, RiskLevel } from '../../src/domain/model/records.js';
import type { KeyCount, QuarterAggregates, QuarterQuery, StatsRepo, StatsWindow } from '../../src/domain/ports/store.js';
import { FREQUENCIES, type Frequency } from '../../src/domain/followup/contact-rule.js';
import { empty, indexedBy, join, raw, sql, type Sql, type SqlDb as Db } from './db.js';

interface Range {
  start: string;
  until: string;
}

const openAtUntil = (until: string): Sql => sql`(c.closed_at IS NULL OR c.closed_at > ${until})`;
const closedInQuarter = ({ start, until }: Range): Sql => sql`(c.closed_at >= ${start} AND c.closed_at <= ${until})`;
/**
 * Every case registered by `until`, read through the covering index (status first), never the
 * long table rows; `joined` adds a join between the table and its WHERE.
 */
const casesByUntil = (db: Db, until: string, joined: Sql = empty): Sql =>
  sql`cases c ${indexedBy(db, 'cases_summary')}${joined} WHERE c.status IN ('open', 'closed') AND c.created_at <= ${until}`;

/** One group of cases: the open, new and closed counts share a single pass over the index. */
const caseGroups = (db: Db, r: Range): Sql => sql`SELECT c.village AS village, c.risk_level AS risk, CASE WHEN ${closedInQuarter(r)} THEN c.close_reason END AS close_group,
    SUM(CASE WHEN ${openAtUntil(r.until)} THEN 1 ELSE 0 END) AS open_n,
    SUM(CASE WHEN c.created_at >= ${r.start} THEN 1 ELSE 0 END) AS new_n,
    SUM(CASE WHEN ${closedInQuarter(r)} THEN 1 ELSE 0 END) AS closed_n,
    MIN(CASE WHEN ${openAtUntil(r.until)} THEN c.id END) AS first_open,
    MIN(CASE WHEN ${closedInQuarter(r)} THEN c.id END) AS first_closed
  FROM ${casesByUntil(db, r.until)}
  GROUP BY c.village, c.risk_level, close_group`;

const categoryGroups = (db: Db, r: Range): Sql => sql`SELECT cc.category AS category,
    SUM(CASE WHEN ${openAtUntil(r.until)} THEN 1 ELSE 0 END) AS open_n,
    SUM(CASE WHEN c.created_at >= ${r.start} THEN 1 ELSE 0 END) AS new_n
  FROM ${casesByUntil(db, r.until, sql` JOIN case_categories cc ON cc.case_id = c.id`)}
  GROUP BY cc.category ORDER BY cc.category`;

const methodGroups = (db: Db, fromDay: string, toDay: string): Sql => sql`SELECT method, COUNT(*) AS n FROM contacts ${indexedBy(db, 'contacts_day')}
  WHERE contact_date >= ${fromDay} AND contact_date <= ${toDay} GROUP BY method ORDER BY method`;

interface CaseGroupRow {
  village: string;
  risk: RiskLevel | null;
  close_group: string | null;
  open_n: number;
  new_n: number;
  closed_n: number;
  first_open: number | null;
  first_closed: number | null;
}

/** Frequencies by rank, most frequent first, as the per-case query ranks them. */
const RANKED: readonly Frequency[] = FREQUENCIES;
const CODES: readonly CategoryCode[] = ['01', '02', '03', '04', '05'];

/**
 * Coverage and overdue in one pass over the cases. Per case: the rank of its most frequent
 * category's frequency (weekly 0 … half-yearly 4; monthly when it has none) and a bit mask of the
 * windows it has a contact in (one index seek into its contacts since the earliest window).
 * Materialised so that each per-case subquery runs once, not once for every sum that reads it.
 */
function coverageSql(db: Db, q: QuarterQuery): Sql {
  const until = q.until.toISOString();
  const windows = q.windows;
  // The ranks are written into the SQL, not bound: PostgreSQL would type a bound CASE result as
  // text. They are numbers from RANKED and the codes CODES, never input.
  const rank = raw(
    `COALESCE((SELECT MIN(CASE cc.category ${CODES.map((c) => `WHEN '${c}' THEN ${RANKED.indexOf(q.categoryFrequency[c])}`).join(' ')} END) FROM case_categories cc WHERE cc.case_id = c.id), ${RANKED.indexOf('monthly')})`,
  );
  // Powers of two past 2^52 lose precision as doubles: a quarter has at most 14 weeks + 6 halves + 3 months + 2 = 25 windows.
  const bit = (i: number) => raw(String(2 ** i));
  const bits = windows.map((w, i) => sql`${bit(i)} * MAX(CASE WHEN k.contact_date >= ${w.from} AND k.contact_date <= ${w.to} THEN 1 ELSE 0 END)`);
  const mask =
    windows.length === 0
      ? raw('0')
      : sql`COALESCE((SELECT ${join(bits, ' + ')} FROM contacts k WHERE k.case_id = c.id AND k.contact_date >= ${q.contactsFrom} AND k.contact_date <= ${q.toDay}), 0)`;
  const due = (w: StatsWindow) =>
    sql`p.freq = ${RANKED.indexOf(w.frequency)} AND p.created_at < ${w.startsAt.toISOString()} AND (p.closed_at IS NULL OR p.closed_at >= ${w.endsAt.toISOString()})`;
  const sums = windows
    .map((w, i) => [
      sql`SUM(CASE WHEN ${due(w)} THEN 1 ELSE 0 END) AS ${raw(`due${i}`)}`,
      sql`SUM(CASE WHEN ${due(w)} AND (p.mask & ${bit(i)}) <> 0 THEN 1 ELSE 0 END) AS ${raw(`covered${i}`)}`,
    ])
    .flat();
  // Not contacted from since to toDay: the kept latest day answers for nearly every case; only
  // when it lies after toDay (a past quarter) do the contacts themselves have to say.
  const notContacted = (since: string) => sql`(p.last_day IS NULL OR p.last_day < ${since}
    OR (p.last_day > ${q.toDay} AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.case_id = p.id AND k.contact_date >= ${since} AND k.contact_date <= ${q.toDay})))`;
  const overdue = sql`SUM(CASE WHEN (p.closed_at IS NULL OR p.closed_at > ${until}) AND (
      ${join(
        RANKED.map((f, r) => sql`(p.freq = ${raw(String(r))} AND p.created_at < ${q.overdue[f].createdBefore.toISOString()} AND ${notContacted(q.overdue[f].since)})`),
        ' OR ',
      )}) THEN 1 ELSE 0 END) AS overdue`;
  return sql`WITH per_case AS MATERIALIZED (
    SELECT c.id AS id, c.created_at AS created_at, c.closed_at AS closed_at, c.last_contact_date AS last_day,
      ${rank} AS freq,
      ${mask} AS mask
    FROM ${casesByUntil(db, until)}
  )
  SELECT ${join([...sums, overdue], ',\n    ')} FROM per_case p`;
}

/** Counts for the quarterly report, aggregated in SQL that SQLite and PostgreSQL both run. */
export class SqlStatsRepo implements StatsRepo {
  constructor(private readonly db: Db) {}

  async quarter(q: QuarterQuery): Promise<QuarterAggregates> {
    const range = { start: q.start.toISOString(), until: q.until.toISOString() };
    const groups = await this.db.all<CaseGroupRow>(caseGroups(this.db, range));
    const categories = await this.db.all<{ category: CategoryCode; open_n: number; new_n: number }>(categoryGroups(this.db, range));
    const methods = await this.db.all<{ method: ContactMethod; n: number }>(methodGroups(this.db, q.fromDay, q.toDay));
    const cov = (await this.db.get<Record<string, number | null>>(coverageSql(this.db, q)))!;

    const sum = (pick: (r: CaseGroupRow) => number) => groups.reduce((n, r) => n + Number(pick(r)), 0);
    return {
      open: sum((r) => r.open_n),
      openByCategory: categories.filter((r) => Number(r.open_n) > 0).map((r) => ({ key: r.category, count: Number(r.open_n) })),
      openByVillage: byFirst(groups, (r) => r.village, (r) => r.open_n, (r) => r.first_open),
      openByRisk: byFirst(groups, (r) => r.risk, (r) => r.open_n, (r) => r.first_open),
      newCases: sum((r) => r.new_n),
      newByCategory: categories.filter((r) => Number(r.new_n) > 0).map((r) => ({ key: r.category, count: Number(r.new_n) })),
      closed: sum((r) => r.closed_n),
      closedByReason: byFirst(groups, (r) => r.close_group, (r) => r.closed_n, (r) => r.first_closed),
      contacts: methods.reduce((n, r) => n + Number(r.n), 0),
      contactsByMethod: methods.map((r) => ({ key: r.method, count: Number(r.n) })),
      windows: q.windows.map((_, i) => ({ due: Number(cov[`due${i}`] ?? 0), covered: Number(cov[`covered${i}`] ?? 0) })),
      overdue: Number(cov.overdue ?? 0),
    };
  }
}

/** Groups merged by one key, ordered by the lowest case id counted under it; keys with no count are left out. */
function byFirst<K>(rows: readonly CaseGroupRow[], key: (r: CaseGroupRow) => K, count: (r: CaseGroupRow) => number, first: (r: CaseGroupRow) => number | null): KeyCount<K>[] {
  const out = new Map<K, { count: number; first: number }>();
  for (const r of rows) {
    const f = first(r);
    if (f === null) continue;
    const k = key(r);
    const e = out.get(k);
    if (e) {
      e.count += Number(count(r));
      e.first = Math.min(e.first, Number(f));
    } else out.set(k, { count: Number(count(r)), first: Number(f) });
  }
  return [...out].sort((a, b) => a[1].first - b[1].first).map(([k, e]) => ({ key: k, count: e.count }));
}
