import { normalizeInput } from '../parse-zh/normalize.js';
import { parseChineseNumber } from '../parse-zh/numerals.js';

/** 「排查上报 …」: a unit's answer to the risk-screening dispatch (monthly, or quarterly where the plan says so). */
export const SCREENING_TRIGGER = /^(?:排查上报|风险排查上报|排查情况上报|上报排查)(?=$|[\s:：,，]|[本上无新高0-9])/;

export type ScreeningReplyResult =
  | { ok: true; newRisks: number; highRisks: number }
  | { ok: false };

const N = '(\\d+|[〇零一二两三四五六七八九十百]+)';

/**
 * 「本月无新增风险」 → 0/0; 「新增2 高风险1」, 「新增风险两人，其中高风险1人」 → the numbers.
 * High risks are part of the new ones, so more high than new is refused as a typo.
 */
export function parseScreeningReply(text: string): ScreeningReplyResult {
  const s = normalizeInput(text).replace(SCREENING_TRIGGER, '').replace(/\s+/g, '');
  if (!s) return { ok: false };
  // 本季度 / 上月 / 上季度: the words a quarterly dispatch (a plan's 每季度调度) or one about the period before asks for.
  if (/^(?:本月|本季度|本期|上月|上季度|上期)?(?:无|没有)(?:新增)?(?:风险|隐患|风险隐患)?(?:隐患)?[。.！!]?$/.test(s) || /^(?:本月|本季度|本期|上月|上季度|上期)?无新增/.test(s) && !/\d|[一二两三四五六七八九十]/.test(s)) {
    return { ok: true, newRisks: 0, highRisks: 0 };
  }
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(s);
    return m ? parseChineseNumber(m[1]!) : undefined;
  };
  const high = num(new RegExp(`高风险[:：]?${N}`)) ?? num(new RegExp(`${N}(?:人|个|名)?(?:为|是)?高风险`));
  const added = num(new RegExp(`新增(?:风险|隐患|风险隐患)?[:：]?${N}`)) ?? num(new RegExp(`${N}(?:人|个|名)?新增`));
  if (added === undefined && high === undefined) return { ok: false };
  const newRisks = added ?? high ?? 0;
  const highRisks = high ?? 0;
  if (highRisks > newRisks) return { ok: false };
  return { ok: true, newRisks, highRisks };
}
