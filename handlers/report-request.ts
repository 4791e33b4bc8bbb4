import type { Handler } from '../src/core/context.js';
import { periodWords } from '../src/domain/calendar/shanghai.js';

const ASK = /^(?:导出|下载|发送?|要|给我)?(?:(上|本)季度|(\d{4})\s*(?:Q|年第?)\s*([1-4一二三四])\s*季度?)?的?(?:季度)?(?:工作进展)?(?:统计)?(?:报表|表格|统计表|xlsx|excel)(?:文件)?$/i;
const CN: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4 };

export const REPORT_ADMIN_ONLY_TEXT = '季度统计表只发给管理员。';
export const REPORT_PRIVATE_ONLY_TEXT = '季度统计表请在与我的私聊中索取。';

/** The quarter a request names, or the current one (China time); 上季度 is the one before. */
export function requestedQuarter(text: string, now: Date): string | undefined {
  const t = text.replace(/\s+/g, '');
  const m = ASK.exec(t);
  if (!m || !/季度|报表|统计表|xlsx|excel/i.test(t)) return undefined;
  if (m[2] && m[3]) return `${m[2]}Q${CN[m[3]] ?? Number(m[3])}`;
  const cn = new Date(now.getTime() + 8 * 3_600_000);
  let year = cn.getUTCFullYear();
  let q = Math.floor(cn.getUTCMonth() / 3) + 1;
  if (m[1] === '上') {
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  return `${year}Q${q}`;
}

/**
 * 「季度报表」「2026Q3 季度报表」「上季度统计表」: an admin gets the quarterly workbook as a file
 * in the private chat (numbers only, as the CLI's report). Others are told it is for admins.
 */
export const reportRequestHandler: Handler = {
  name: 'report-request',
  handle(ctx) {
    if (ctx.msg.kind !== 'text' && ctx.msg.kind !== 'button') return null;
    const quarter = requestedQuarter(ctx.msg.text, ctx.clock.now());
    if (!quarter) return null;
    if (ctx.member?.role !== 'admin') return [{ text: REPORT_ADMIN_ONLY_TEXT }];
    if (ctx.msg.chatType === 'group') return [{ text: REPORT_PRIVATE_ONLY_TEXT }];
    const [year, q] = quarter.split('Q');
    const start = new Date(Date.UTC(Number(year), (Number(q) - 1) * 3, 1) - 8 * 3_600_000);
    if (start > ctx.clock.now()) return [{ text: `${periodWords(quarter)}还没有开始，无法统计。` }];
    return [
      {
        text: `${ctx.config.town}${periodWords(quarter)}工作进展统计表（只含数字，不含个人信息）见下面的文件。`,
        file: { name: `${ctx.config.town}-${quarter}-季度统计.xlsx`, report: { kind: 'quarterly', period: quarter } },
      },
    ];
  },
};
