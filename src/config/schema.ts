import { z } from 'zod';

// Every object is strict: a misspelt key (`sealedAcess`, `member`) is an error, not a default silently applied.
export const memberSchema = z.strictObject({
  userid: z.string().min(1),
  name: z.string().min(1),
  unit: z.string().min(1),
  role: z.enum(['admin', 'staff']).default('staff'),
  /** Village cadres are scoped to their own village (see the security issue). */
  village: z.string().min(1).optional(),
});

export const groupSchema = z.strictObject({
  chatid: z.string().min(1),
  name: z.string().min(1),
  broadcast: z.boolean().default(false),
  unit: z.string().min(1).optional(),
  /** Group-robot webhook key, used only to @-mention people in this group. */
  webhookKey: z.string().min(1).optional(),
});

const timeOfDay = z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, { message: '应为 HH:MM，例如 09:00' });
const dayOfMonth = z.number().int().min(1).max(28);

/** `YYYY-MM-DD`, or a range `YYYY-MM-DD..YYYY-MM-DD`, expanded to the days it covers. */
const calendarDays = z
  .array(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2})?$/, { message: '应为 2027-01-01 或 2027-02-05..2027-02-11' })
      .transform((s, ctx) => {
        const [a, b = a] = s.split('..') as [string, string?];
        const start = new Date(`${a}T00:00:00Z`);
        const end = new Date(`${b}T00:00:00Z`);
        if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start.toISOString().slice(0, 10) !== a || end.toISOString().slice(0, 10) !== b) {
          ctx.addIssue({ code: 'custom', message: `「${s}」不是有效的日期` });
          return z.NEVER;
        }
        if (end < start || end.getTime() - start.getTime() > 40 * 86_400_000) {
          ctx.addIssue({ code: 'custom', message: `「${s}」的日期范围无效（结束早于开始，或超过 40 天）` });
          return z.NEVER;
        }
        const days: string[] = [];
        for (let t = start.getTime(); t <= end.getTime(); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
        return days;
      }),
  )
  .default([])
  .transform((lists) => lists.flat());

/**
 * Follow-up rhythm (issue 5). The plan fixes monthly contacts and monthly/quarterly dispatches
 * but no days, so every day and time here is a default the town may change.
 */
export const followupSchema = z
  .strictObject({
    /**
     * Contact frequency per category code, where the plan states none for it (the plan's own rule
     * wins); a case with several categories follows the most frequent.
     */
    frequency: z
      .partialRecord(z.enum(['01', '02', '03', '04', '05']), z.enum(['weekly', 'half-monthly', 'monthly', 'quarterly', 'half-yearly'], { message: '应为 weekly、half-monthly、monthly、quarterly 或 half-yearly' }))
      .default({}),
    /** Move reminders that fall on a weekend or public holiday to the next working day. */
    workdaysOnly: z.boolean().default(true),
    /**
     * Public holidays for years the bundled calendar does not cover yet (the State Council
     * publishes each year's schedule late in the year before), or corrections to it.
     */
    holidays: calendarDays,
    /** Make-up working days (调休上班) on a weekend, for the same years. */
    makeupWorkdays: calendarDays,
    /**
     * On the first start of a new installation, send one short 「护苗助手已启用」 to the broadcast
     * groups. Off by default: a first start sends nothing about periods before it was installed.
     */
    announceOnInstall: z.boolean().default(false),
    dueSoon: z.strictObject({ day: dayOfMonth.default(20), time: timeOfDay.default('09:00') }).prefault({}),
    overdue: z.strictObject({ day: dayOfMonth.default(1), time: timeOfDay.default('09:00') }).prefault({}),
    ageReview: z.strictObject({ day: dayOfMonth.default(1), time: timeOfDay.default('08:30') }).prefault({}),
    screening: z
      .strictObject({
        /** How often the screening is dispatched: every month, or in the last month of each quarter. */
        every: z.enum(['month', 'quarter'], { message: '应为 month 或 quarter' }).default('month'),
        day: dayOfMonth.default(25),
        time: timeOfDay.default('09:00'),
        /** Units that have not reported this many days after the dispatch are reminded. */
        remindAfterDays: z.number().int().min(1).max(20).default(3),
        /**
         * Which period units report: the one the dispatch goes out in (the default), or the one
         * before it, for a plan that asks 「每月5日前将上月排查情况报…」.
         */
        about: z.enum(['current', 'previous'], { message: '应为 current 或 previous' }).optional(),
      })
      .prefault({}),
    quarterly: z
      .strictObject({
        /** How often progress is dispatched (with the statistics of the period): every quarter, or every month. */
        every: z.enum(['quarter', 'month'], { message: '应为 quarter 或 month' }).default('quarter'),
        /** Days before the period's end: 7 = its last week. */
        daysBeforeQuarterEnd: z.number().int().min(1).max(28).default(7),
        /** A fixed day of the period's last month instead (the plan's report deadline less the days above). */
        day: dayOfMonth.optional(),
        time: timeOfDay.default('09:00'),
      })
      .prefault({}),
  })
  .prefault({});

/**
 * The shape of `humiao.config.yaml`. Other tools rely on the keys named in the foundation
 * issue (town, casePrefix, plan, villages, members, groups); more keys may be added.
 */
export const configSchema = z
  .strictObject({
    town: z.string().min(1),
    /**
     * The town's short id (lower-case letters, digits, _): names its PostgreSQL schema and its
     * credentials in a county deployment (WECOM_BOT_ID_<ID>). Default: casePrefix in lower case.
     */
    id: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,30}$/, { message: '应为小写英文字母开头的 1–31 位小写字母、数字或下划线，例如 dunji' })
      .optional(),
    casePrefix: z
      .string()
      .regex(/^[A-Z]{1,6}$/, { message: '应为 1–6 个大写英文字母，例如 DJ' }),
    /**
     * Path of the plan text, or of a matrix YAML written by `plan import` and reviewed by the
     * admin (.yaml/.yml), relative to the config file; default: the bundled plan.
     */
    plan: z.string().min(1).optional(),
    villages: z.array(z.string().min(1)).min(1),
    members: z.array(memberSchema).default([]),
    groups: z.array(groupSchema).default([]),
    /** Units whose members may open sealed justice records (security issue). */
    sealedAccess: z.array(z.string().min(1)).default(['镇派出所', '镇司法所']),
    followup: followupSchema,
    /**
     * What a group may learn of a new case besides its code and mentor. Off by default; a town
     * may let groups see the village of a 农村留守儿童 case (and of no other category, since the
     * village narrows a child down and the other categories are the ones the law protects most).
     */
    groupNotice: z
      .strictObject({
        leftBehindVillage: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.members.forEach((m, i) => {
      if (seen.has(m.userid)) {
        ctx.addIssue({ code: 'custom', path: ['members', i, 'userid'], message: `重复的 userid「${m.userid}」` });
      }
      seen.add(m.userid);
      if (m.village && !cfg.villages.includes(m.village)) {
        ctx.addIssue({ code: 'custom', path: ['members', i, 'village'], message: `「${m.village}」不在 villages 列表中` });
      }
    });
    const chats = new Set<string>();
    cfg.groups.forEach((g, i) => {
      if (chats.has(g.chatid)) {
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'chatid'], message: `重复的 chatid「${g.chatid}」` });
      }
      chats.add(g.chatid);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type Member = z.infer<typeof memberSchema>;
export type Group = z.infer<typeof groupSchema>;
export type FollowupConfig = z.infer<typeof followupSchema>;
