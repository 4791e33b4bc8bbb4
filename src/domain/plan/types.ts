/**
 * The responsibility matrix: what the plan text says, as data. Produced by `parsePlan`, never
 * typed in by hand, so another town can load its own plan.
 *
 * `clause` strings are the plan's own numbering, e.g. `三（三）` or `三（三）第2条`, so answers
 * can cite them (依据：三（三）第2条).
 */

/** Category codes as used by 综治 platforms (docs/domain-rules.md §4.1): 01 闲散 … 05 留守. */
export type CategoryCode = '01' | '02' | '03' | '04' | '05';

/**
 * How often something happens. `half-month` is the calendar half (1–15, 16–end); `semester` is
 * a school term (Feb–Jul, Aug–Jan).
 */
export type Period = 'week' | 'half-month' | 'month' | 'quarter' | 'half-year' | 'year' | 'semester';

/** An age range the plan states in so many words (「6周岁至25周岁」, 「未满16周岁」). */
export interface StatedAges {
  min?: number;
  max?: number;
  /** True for 至/到/- ranges (25 included), false for 未满/不满 (16 excluded). */
  maxInclusive?: boolean;
  /** The plan's own words, for answers. */
  text: string;
}

export interface PlanTask {
  /** Number within its category, from the plan (1., 2., …). */
  no: number;
  text: string;
  /** Canonical unit names that carry the task. */
  units: string[];
  clause: string;
  line: number;
}

export interface PlanCategory {
  /**
   * The standard category this one corresponds to, by its name (a merged 农村留守儿童和困境儿童 is
   * 05). A category the standard five have no place for (事实无人抚养儿童) has none: it is
   * answered about, but intake, follow-up and stats keep to the standard five.
   */
  code?: CategoryCode;
  /** Unique within the plan: the code, or `x` + ordinal for a category without one. */
  key: string;
  /** Ordinal of the （一）… subsection in section 三. */
  ordinal: number;
  /** The subsection heading, e.g. 加强流浪乞讨未成年人的救助保护. */
  heading: string;
  /** Canonical category name, e.g. 流浪乞讨未成年人. */
  name: string;
  /** The definition sentence (…是指…). */
  definition: string;
  /** The 包括… list, one item each; empty when the plan gives none. */
  includes: string[];
  leadUnits: string[];
  responsibleUnits: string[];
  tasks: PlanTask[];
  /** Age limit stated in the definition (e.g. 未满16周岁 → maxAgeExclusive 16; 未成年人 → 18). */
  maxAgeExclusive?: number;
  /** The ages the plan states in numbers, when it does (a bare 未成年人 is not one). */
  ages?: StatedAges;
  /** The plan's rule for how often each child is contacted, when it states one. */
  contact?: { period: Period; times: number; text: string; clause: string };
  clause: string;
  line: number;
}

export interface PlanSection {
  /** 一、二、… as a number. */
  ordinal: number;
  title: string;
  text: string;
  clause: string;
  line: number;
}

export interface PlanRequirement {
  ordinal: number;
  /** The short title before the first 。, e.g. 加强督导，确保实效. */
  title: string;
  text: string;
  clause: string;
  line: number;
}

export interface PlanFrequency {
  /** contact: a child is contacted / visited; report: units report by a day; other: meetings, checks, trainings. */
  what: 'contact' | 'risk-screening' | 'progress' | 'report' | 'other';
  period: Period;
  /** At least this many times per period. */
  times: number;
  /** Day of the month (每月25日前) or of the quarter's last month, when stated. */
  day?: number;
  /** Who does it (canonical unit), when the plan says outside a task. */
  by?: string;
  /** Every unit the sentence names as doing it. */
  byUnits?: string[];
  /** The unit a report goes to (报送街道团工委). */
  to?: string;
  /** The category key (PlanCategory.key) it applies to, when the plan says. */
  category?: string;
  text: string;
  clause: string;
  line: number;
}

export interface PlanProblem {
  line: number;
  message: string;
  text: string;
  /**
   * `notice`: worth a look but nothing was lost (a unit name the alias table does not know, kept
   * as written). Everything else is a problem: `plan check` and `plan show` exit non-zero.
   */
  severity?: 'notice';
}

export interface PlanMatrix {
  title: string;
  /** The unit that leads the whole work (镇团委 in Dunji). */
  overallLead: { unit: string; clause: string; text: string; line?: number; office?: string };
  /** 一、工作对象. */
  targets: PlanSection;
  /** 二、工作目标. */
  goals: PlanSection;
  categories: PlanCategory[];
  /** 四、工作要求 (（一）…（三）). */
  requirements: PlanRequirement[];
  frequencies: PlanFrequency[];
  /** Every canonical unit named anywhere in the plan. */
  units: string[];
  /** Other names the plan itself writes for its units (派出所 for 桥头派出所), by unit. */
  unitForms?: Record<string, string[]>;
  /**
   * A phrase the plan uses for several units at once (中小学校), with the members the town's config
   * lists for it: the plan's units then hold the members, and a question naming the phrase finds them all.
   */
  unitGroups?: Record<string, string[]>;
  /** Lines the parser could not place. Empty for a clean plan. */
  problems: PlanProblem[];
}
