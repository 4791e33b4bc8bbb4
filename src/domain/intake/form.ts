import type { z } from 'zod';
import type { Member } from '../../config/schema.js';
import type { ChoiceOption } from '../parse-zh/choice.js';
import type { CategoryCode, PlanMatrix } from '../plan/types.js';

/**
 * Forms are data: a list of steps and a few hooks. One engine (`engine.ts`) runs every form,
 * so commands, back/skip/edit and error replies behave the same everywhere.
 */

export type Answers = Record<string, unknown>;

/** What a form may look at besides the answers. Built by the handler for each message. */
export interface FormEnv {
  now: Date;
  villages: readonly string[];
  members: readonly Member[];
  plan: PlanMatrix;
  /** Existing record codes that look like the same child; the engine asks before submitting. */
  findDuplicates?: (answers: Answers) => Promise<string[]>;
  /** The member typing, for answers like 「我们村」 and 「我自己」. */
  reporter?: Member;
  /**
   * An answer to a message that is not an answer but a question about something else (a plan
   * question typed mid-form); undefined when the message is not such a question. `strict`: only
   * for a message that is plainly a plan question (it is asked before the answer is parsed).
   */
  answerAside?: (text: string, answers: Answers, opts?: { strict?: boolean }) => string | undefined;
}

/**
 * How the typed answer is read before the zod schema checks it:
 * - `text`: free text, kept as typed (emoji and SQL-looking text are just text)
 * - `name`: a person's name
 * - `date`: a date; at least month precision
 * - `mobile`: a mobile number
 * - `yesno`: 是/否 words → boolean
 * - `choice` / `multi`: one / several of `options`
 * - `contact`: a person's name and mobile in one answer
 * - `custom`: the step's own `parse`
 */
export type StepKind = 'text' | 'name' | 'date' | 'mobile' | 'yesno' | 'choice' | 'multi' | 'contact' | 'custom';

export type ParseOutcome =
  | { ok: true; value: unknown; /** The answer was a guess (an age for a birth date). */ note?: string }
  /** `whole`: the error is a full sentence of its own (a refusal), shown as is above the question. */
  | { ok: false; error: string; whole?: boolean }
  /** The answer ends the form without saving (「否」 to 「要记录这次走访吗」); `reply` says so. */
  | { ok: 'end'; reply: string }
  /** Part of a combined answer: kept, and `ask` asks only for the rest. */
  | { ok: 'partial'; value: unknown; ask: string }
  /** The person does not know: recorded as unknown (待补充). */
  | { ok: 'unknown' };

export interface StepDef {
  key: string;
  /** Field name shown in summaries and used by 「修改 <字段>」. */
  label: string;
  /** Other names people use for the field in 「修改 …」. */
  editNames?: readonly string[];
  prompt: string | ((answers: Answers, env: FormEnv) => string);
  kind: StepKind;
  options?: readonly ChoiceOption[] | ((env: FormEnv) => readonly ChoiceOption[]);
  /**
   * When there are more options than a chat can sensibly list (see MAX_LISTED_CHOICES), the few
   * to offer as buttons; every option can still be typed.
   */
  suggest?: (answers: Answers, env: FormEnv) => readonly ChoiceOption[];
  /** For `choice`: free detail may follow the choice (stored as `{ choice, detail }`). */
  allowDetail?: boolean;
  /** Checks the parsed value; its message is shown with `expect` and `example`. */
  schema: z.ZodType | ((env: FormEnv) => z.ZodType);
  /** What is expected, for error replies: 「18 位身份证号或出生日期」. */
  expect: string;
  example: string;
  /** May be answered with 「跳过」. */
  optional?: boolean | ((answers: Answers) => boolean);
  /** Asked only when the case is in one of these categories (answers.categories). */
  categories?: readonly CategoryCode[];
  /** Further condition on earlier answers. */
  when?: (answers: Answers) => boolean;
  /** False: not asked in the flow; offered in the summary (「修改 情况说明」). */
  inFlow?: boolean;
  /** `partial` is what an earlier, incomplete answer to this step already gave. */
  /** May look something up (a case by its code) before it decides, hence a promise. */
  parse?: (text: string, answers: Answers, env: FormEnv, partial?: unknown) => ParseOutcome | Promise<ParseOutcome>;
  /**
   * True for the few fields a case cannot exist without (docs/intake.md): 「不知道」 and 「跳过」
   * are not accepted. Every other field may be recorded as unknown.
   */
  required?: boolean;
  /** The value to record when the person does not know, instead of unknown (帮扶人 → the reporter). */
  whenUnknown?: (answers: Answers, env: FormEnv) => unknown;
  /** The step's parser reads 「不知道」 itself (a combined answer may know one part). */
  readsUnknown?: boolean;
  /** How a value derived from other answers is marked in the summary, instead of 「（推断）」. */
  derivedMark?: string;
  /** How the value reads in a summary. */
  display?: (value: unknown, env: FormEnv) => string;
  /** The prompt numbers the options itself, so a second miss does not list them again. */
  listsOptions?: boolean;
  /** A button's label when the option's own label is too long for a narrow button. */
  buttonLabel?: (option: ChoiceOption) => string;
}

/**
 * The words of a form's own replies. The defaults are the registration's; a short form (走访,
 * 结案) says what it is about.
 */
export interface FormTexts {
  /** The first line of a started form; null: none (the command itself said what is started). */
  start: string | null;
  /** Asked after 「取消」 unless the form cancels at once. */
  cancelQuestion: string;
  cancelled: (answers: Answers) => string;
  /** Shown under an answered plan question, above the repeated form question. */
  resumeMark: string;
  help: string;
  /** Told when a draft from another form version was brought up to this one. */
  updated: string;
  /** The reply to 「跳过」 at a required step. */
  cannotSkip: (label: string) => string;
  /** Added on the second miss of a required step, which has no 「不知道」 way out; null: nothing. */
  requiredWayOut: string | null;
}

export interface CheckFailure {
  message: string;
  /** The answer to drop when the failure comes from values the bot inferred (prefill). */
  blame: string;
}

export interface PrefillResult {
  answers: Answers;
  /** Keys whose prefilled value is an estimate (an age for a birth date). */
  estimated?: string[];
  /** Parts of a combined answer already given (a guardian's name without the phone). */
  partial?: Answers;
}

export interface FormDef {
  id: string;
  /**
   * Bumped whenever a step is renamed or removed. A saved draft of another version is migrated
   * when it is next read: answers to steps that no longer exist are dropped and the first open
   * question is asked, so a deploy never strands a draft.
   */
  version: number;
  title: string;
  steps: readonly StepDef[];
  /** Answers that follow from others (gender from the ID number); keyed by derived key. */
  derive?: (answers: Answers, env: FormEnv) => Record<string, { value: unknown; from: string }>;
  /** A rule across fields (age limits per category). */
  check?: (answers: Answers, env: FormEnv) => CheckFailure | undefined;
  /**
   * A question when `value` for `key` contradicts an earlier answer: asked, not overwritten.
   * `patch` is applied as well when the user confirms the new value.
   */
  conflict?: (
    key: string,
    value: unknown,
    answers: Answers,
    env: FormEnv,
    /** Keys whose values were computed, not given; they follow their source silently. */
    derived: Readonly<Record<string, string>>,
  ) => { question: string; patch?: Answers } | undefined;
  /** Signs that must be reported at once, from the answers and the text just typed. */
  signs?: (answers: Answers, text: string, env: FormEnv) => string[];
  /** The reply shown when a sign is first seen. */
  signNotice?: (signs: readonly string[]) => string;
  prefill?: (text: string, env: FormEnv) => PrefillResult;
  /**
   * Keys an answer to any question may fill in passing, through `prefill`, when they are not
   * answered yet and come later in the form: 「他爹坐牢了」 for one question answers two.
   */
  fillsInPassing?: readonly string[];
  /** Replaces some of the default texts (see FormTexts). */
  texts?: Partial<FormTexts>;
  /**
   * False: no 「请核对」 summary; the form submits once its last step is answered. For a short
   * form whose last step is itself a confirmation (结案) or whose command says it all (走访).
   */
  confirm?: boolean;
  /** 「取消」 ends the form at once instead of asking 「确定放弃吗」: there is little to lose. */
  cancelAtOnce?: boolean;
  /**
   * False: an answer is never read as a correction of an earlier one (「…改成…」 in a free note
   * is just the note).
   */
  corrections?: boolean;
}
