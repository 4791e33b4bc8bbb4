import type { CaseRecord } from '../model/records.js';
import { ageRange, parseIsoPartial } from '../parse-zh/date.js';
import type { CategoryCode } from '../plan/types.js';

/**
 * Ages at which a case should be reviewed (docs/domain-rules.md §1, §5.1): 16 (留守 ends, full civil
 * capacity by labour possible), 18 (未成年 ends; 流浪 and 服刑子女 end), 25 (statistical range
 * ends). An age counts as reached on the day after the birthday.
 */
export const MILESTONE_AGES = [16, 18, 25] as const;

/** Categories that end at an age: 留守 under 16, 流浪 and 服刑子女 under 18. */
const ENDS_AT: Partial<Record<CategoryCode, number>> = { '05': 16, '03': 18, '04': 18 };

export interface Milestone {
  age: number;
  /** Categories of the case that no longer apply at this age. */
  endedCategories: CategoryCode[];
}

/**
 * Milestones the case reached after it was registered and by `at`. For a birth date known only
 * to the month or year, an age counts once every day it may stand for has reached it, so no
 * prompt comes early.
 */
export function reachedMilestones(c: Pick<CaseRecord, 'birthDate' | 'createdAt' | 'categories'>, at: Date): Milestone[] {
  const birth = parseIsoPartial(c.birthDate);
  if (!birth) return [];
  const now = ageRange(birth, at).min;
  const then = ageRange(birth, c.createdAt).min;
  return MILESTONE_AGES.filter((age) => then < age && now >= age).map((age) => ({
    age,
    endedCategories: c.categories.map((k) => k.code).filter((code) => ENDS_AT[code] === age),
  }));
}
