import type { CategoryCode } from '../../src/domain/plan/types.js';
import type { ContactMethod, RiskLevel } from '../../src/domain/model/records.js';
import type { KeyCount, QuarterAggregates, QuarterQuery, StatsRepo } from '../../src/domain/ports/store.js';
import { FREQUENCIES, type Frequency } from '../../src/domain/followup/contact-rule.js';
import type { SqlDb as Db, SqlStatement } from './db.js';

const OPEN_AT_UNTIL = '(c.closed_at IS NULL OR c.closed_at > @until)';
const CLOSED_IN_QUARTER = '(c.closed_at >= @start AND c.closed_at <= @until)';
/** Every case registered by `until`, read through the covering index (status first), never the long table rows. */
const CASES_BY_UNTIL = "cases c INDEXED BY cases_summary WHERE c.status IN ('open', 'closed') AND c.created_at <= @until";

/** One group of cases: the open, new and closed counts share a single pass over the index. */
const CASE_GROUPS = `SELECT c.village AS village, c.risk_level AS risk, CASE WHEN ${CLOSED_IN_QUARTER} THEN c.close_reason END AS close_group,
    SUM(CASE WHEN ${OPEN_AT_UNTIL} THEN 1 ELSE 0 END) AS open_n,
    SUM(CASE WHEN c.created_at >= @start THEN 1 ELSE 0 END) AS new_n,
    SUM(CASE WHEN ${CLOSED_IN_QUARTER} THEN 1 ELSE 0 END) AS closed_n,
    MIN(CASE WHEN ${OPEN_AT_UNTIL} THEN c.id END) AS first_open,
    MIN(CASE WHEN ${CLOSED_IN_QUARTER} THEN c.id END) AS first_closed
  FROM ${CASES_BY_UNTIL}
  GROUP BY c.village, c.risk_level, close_group`;

const CATEGORY_GROUPS = `SELECT cc.category AS category,
    SUM(CASE WHEN ${OPEN_AT_UNTIL} THEN 1 ELSE 0 END) AS open_n,
    SUM(CASE WHEN c.created_at >= @start THEN 1 ELSE 0 END) AS new_n
  FROM ${CASES_BY_UNTIL.replace(' WHERE ', ' JOIN case_categories cc ON cc.case_id = c.id WHERE ')}
  GROUP BY cc.category ORDER BY cc.category`;

const METHOD_GROUPS = `SELECT method, COUNT(*) AS n FROM contacts INDEXED BY contacts_day
  WHERE contact_date >= @fromDay AND contact_date <= @toDay GROUP BY method ORDER BY method`;

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
function coverageSql(windows: number, categoryFrequency: QuarterQuery['categoryFrequency']): string {
  // The ranks are written into the SQL, not bound: PostgreSQL would type a bound CASE result as text.
  const rank = `COALESCE((SELECT MIN(CASE cc.category ${CODES.map((c) => `WHEN '${c}' THEN ${RANKED.indexOf(categoryFrequency[c])}`).join(' ')} END) FROM case_categories cc WHERE cc.case_id = c.id), ${RANKED.indexOf('monthly')})`;
  const bits = Array.from({ length: windows }, (_, i) => `${2 ** i} * MAX(CASE WHEN k.contact_date >= @from${i} AND k.contact_date <= @to${i} THEN 1 ELSE 0 END)`);
  // Powers of two past 2^52 lose precision as doubles: a quarter has at most 14 weeks + 6 halves + 3 months + 2 = 25 windows.
  const mask = windows === 0 ? '0' : `COALESCE((SELECT ${bits.join(' + ')} FROM contacts k WHERE k.case_id = c.id AND k.contact_date >= @contactsFrom AND k.contact_date <= @toDay), 0)`;
  const due = (i: number) => `p.freq = @freq${i} AND p.created_at < @startsAt${i} AND (p.closed_at IS NULL OR p.closed_at >= @endsAt${i})`;
  const sums = Array.from({ length: windows }, (_, i) => [
    `SUM(CASE WHEN ${due(i)} THEN 1 ELSE 0 END) AS due${i}`,
    `SUM(CASE WHEN ${due(i)} AND (p.mask & ${2 ** i}) <> 0 THEN 1 ELSE 0 END) AS covered${i}`,
  ]).flat();
  // Not contacted from :since to :toDay: the kept latest day answers for nearly every case; only
  // when it lies after :toDay (a past quarter) do the contacts themselves have to say.
  const notContacted = (r: number) => `(p.last_day IS NULL OR p.last_day < @since${r}
    OR (p.last_day > @toDay AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.case_id = p.id AND k.contact_date >= @since${r} AND k.contact_date <= @toDay)))`;
  const overdue = `SUM(CASE WHEN (p.closed_at IS NULL OR p.closed_at > @until) AND (
      ${RANKED.map((_, r) => `(p.freq = ${r} AND p.created_at < @createdBefore${r} AND ${notContacted(r)})`).join(' OR ')}) THEN 1 ELSE 0 END) AS overdue`;
  return `WITH per_case AS MATERIALIZED (
    SELECT c.id AS id, c.created_at AS created_at, c.closed_at AS closed_at, c.last_contact_date AS last_day,
      ${rank} AS freq,
      ${mask} AS mask
    FROM ${CASES_BY_UNTIL}
  )
  SELECT ${[...sums, overdue].join(',\n    ')} FROM per_case p`;
}

/** Counts for the quarterly report, aggregated in SQL that SQLite and PostgreSQL both run. */
export class SqlStatsRepo implements StatsRepo {
  private readonly statements = new Map<string, SqlStatement<unknown[], unknown>>();

  constructor(private readonly db: Db) {}

  private prepare<R>(sql: string): SqlStatement<[Record<string, unknown>], R> {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st as unknown as SqlStatement<[Record<string, unknown>], R>;
  }

  quarter(q: QuarterQuery): QuarterAggregates {
    const range = { start: q.start.toISOString(), until: q.until.toISOString() };
    const groups = this.prepare<CaseGroupRow>(CASE_GROUPS).all(range);
    const categories = this.prepare<{ category: CategoryCode; open_n: number; new_n: number }>(CATEGORY_GROUPS).all(range);
    const methods = this.prepare<{ method: ContactMethod; n: number }>(METHOD_GROUPS).all({ fromDay: q.fromDay, toDay: q.toDay });

    const args: Record<string, unknown> = {
      until: range.until,
      fromDay: q.fromDay,
      toDay: q.toDay,
      contactsFrom: q.contactsFrom,
    };
    RANKED.forEach((f, r) => {
      args[`since${r}`] = q.overdue[f].since;
      args[`createdBefore${r}`] = q.overdue[f].createdBefore.toISOString();
    });
    q.windows.forEach((w, i) => {
      args[`freq${i}`] = RANKED.indexOf(w.frequency);
      args[`startsAt${i}`] = w.startsAt.toISOString();
      args[`endsAt${i}`] = w.endsAt.toISOString();
      args[`from${i}`] = w.from;
      args[`to${i}`] = w.to;
    });
    const cov = this.prepare<Record<string, number | null>>(coverageSql(q.windows.length, q.categoryFrequency)).get(args)!;

    const sum = (pick: (r: CaseGroupRow) => number) => groups.reduce((n, r) => n + Number(pick(r)), 0);
    return {
      open: sum((r) => r.open_n),
      openByCategory: categories.filter((r) => r.open_n > 0).map((r) => ({ key: r.category, count: Number(r.open_n) })),
      openByVillage: byFirst(groups, (r) => r.village, (r) => r.open_n, (r) => r.first_open),
      openByRisk: byFirst(groups, (r) => r.risk, (r) => r.open_n, (r) => r.first_open),
      newCases: sum((r) => r.new_n),
      newByCategory: categories.filter((r) => r.new_n > 0).map((r) => ({ key: r.category, count: Number(r.new_n) })),
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
