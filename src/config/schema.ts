import { z } from 'zod';

export const memberSchema = z.object({
  userid: z.string().min(1),
  name: z.string().min(1),
  unit: z.string().min(1),
  role: z.enum(['admin', 'staff']).default('staff'),
  /** Village cadres are scoped to their own village (see the security issue). */
  village: z.string().min(1).optional(),
});

export const groupSchema = z.object({
  chatid: z.string().min(1),
  name: z.string().min(1),
  broadcast: z.boolean().default(false),
  unit: z.string().min(1).optional(),
  /** Group-robot webhook key, used only to @-mention people in this group. */
  webhookKey: z.string().min(1).optional(),
});

/**
 * The shape of `humiao.config.yaml`. Other tools rely on the keys named in the foundation
 * issue (town, casePrefix, plan, villages, members, groups); more keys may be added.
 */
export const configSchema = z
  .object({
    town: z.string().min(1),
    casePrefix: z
      .string()
      .regex(/^[A-Z]{1,6}$/, { message: '应为 1–6 个大写英文字母，例如 DJ' }),
    /** Path of the plan text, relative to the config file; default: the bundled plan. */
    plan: z.string().min(1).optional(),
    villages: z.array(z.string().min(1)).min(1),
    members: z.array(memberSchema).default([]),
    groups: z.array(groupSchema).default([]),
    /** Units whose members may open sealed justice records (security issue). */
    sealedAccess: z.array(z.string().min(1)).default(['镇派出所', '镇司法所']),
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
