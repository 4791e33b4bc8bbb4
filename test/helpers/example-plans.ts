import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parsePlan } from '../../src/domain/plan/parse.js';
import type { PlanMatrix } from '../../src/domain/plan/types.js';

/** The example plans in plans/examples and what their author expects a reader to get out of them. */

export interface ExpectFile {
  title: string;
  notTitle?: string;
  overallLead: string;
  aliases?: Record<string, string[]>;
  categories: {
    name: string;
    heading?: string;
    definition: string | null;
    ages: { min: number | null; max: number | null; maxInclusive: boolean | null };
    leads: string[];
    responsible: string[];
    tasks: number;
    taskUnits: Record<string, string[]>;
    contact: { every: string; times?: number } | null;
  }[];
  frequencies: { every: string; times?: number; day?: number; by?: string[]; to?: string; quote: string }[];
  questions: { q: string; expect: { units?: string[]; phrases?: string[]; none: boolean; notUnits?: string[] } }[];
}

export const EXAMPLES = ['jiedao-plan', 'county-plan', 'messy-plan'] as const;

export function loadExample(name: string): { text: string; plan: PlanMatrix; expected: ExpectFile } {
  const base = new URL(`../../plans/examples/${name}`, import.meta.url);
  const text = readFileSync(new URL(`${base.href}.txt`), 'utf8');
  const expected = parseYaml(readFileSync(new URL(`${base.href}.expect.yaml`), 'utf8')) as ExpectFile;
  return { text, plan: parsePlan(text), expected };
}

