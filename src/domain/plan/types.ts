/**
 * The responsibility matrix: what the plan text says, as data. Produced by `parsePlan`, never
 * typed in by hand, so another town can load its own plan.
 *
 * `clause` strings are the plan's own numbering, e.g. `三（三）` or `三（三）第2条`, so answers
 * can cite them (依据：三（三）第2条).
 */

/** Category codes as used by 综治 platforms (domain.md §4.1): 01 闲散 … 05 留守. */
export type CategoryCode = '01' | '02' | '03' | '04' | '05';

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
  code: CategoryCode;
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
  what: 'contact' | 'risk-screening' | 'progress';
  period: 'month' | 'quarter';
  /** At least this many times per period. */
  times: number;
  /** Who does it (canonical unit), when the plan says. */
  by?: string;
  /** The category it applies to, when the plan says. */
  category?: CategoryCode;
  text: string;
  clause: string;
  line: number;
}

export interface PlanProblem {
  line: number;
  message: string;
  text: string;
}

export interface PlanMatrix {
  title: string;
  /** The unit that leads the whole work (镇团委 in Dunji). */
  overallLead: { unit: string; clause: string; text: string };
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
  /** Lines the parser could not place. Empty for a clean plan. */
  problems: PlanProblem[];
}
