/**
 * What a plan file says around the plan itself: the covering notice (关于印发《…》的通知), who it
 * is sent to, the meeting that decided it, the issuing bodies and date, and the preamble's
 * purpose (为……特制定本实施方案). The parser's matrix does not carry these, so they are read here
 * from the same text. Every field is optional: a pasted plan often has no notice at all.
 */

export interface PlanHeader {
  /** 关于印发《…》的通知. */
  notice?: string;
  /** The title inside 《》, or the plan's own title line. */
  fullTitle?: string;
  /** 各村党总支、村民委员会，镇直相关单位. */
  recipients?: string;
  /** 镇党政联席会议 (from 经……研究决定). */
  decidedBy?: string;
  /** 中共墩集镇委员会, 墩集镇人民政府. */
  issuers: string[];
  /** As written: 2023年1月31日. */
  date?: string;
  /** The preamble sentence(s) before 一、. */
  preamble?: string;
  /** The notice's body sentence (经……研究决定，现将……转发给你们，请……). */
  noticeBody?: string;
}

const DATE = /(\d{4}|[〇零一二三四五六七八九]{4})年\d{1,2}月\d{1,2}日|(\d{4}|[〇零一二三四五六七八九]{4})年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日/;
const ISSUER = /(委员会|人民政府|政府|办公室|党委|工委|办事处|委|局|团委)$/;
const SECTION = /^[一二三四五六七八九十]+、/;

export function parsePlanHeader(text: string): PlanHeader {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/[\s\u3000\u00a0]+/g, ' ').trim());
  const firstSection = lines.findIndex((l) => SECTION.test(l));
  const head = firstSection < 0 ? lines.slice(0, 30) : lines.slice(0, firstSection);
  const h: PlanHeader = { issuers: [] };
  const notice = head.find((l) => /通知$/.test(l) && /印发|转发|关于/.test(l));
  if (notice) h.notice = notice;
  const titled = /《([^》]+)》/.exec(notice ?? head.join('')) ?? undefined;
  if (titled) h.fullTitle = titled[1]!;
  const recipients = head.find((l) => /[：:]$/.test(l) && l.length <= 60);
  if (recipients) h.recipients = recipients.replace(/[：:]$/, '');
  const body = head.find((l) => /研究决定|印发给你们|转发给你们|请认真|贯彻落实/.test(l));
  if (body) h.noticeBody = body;
  const decided = /经(.+?)研究(?:决定|同意|通过)/.exec(body ?? '');
  if (decided) h.decidedBy = decided[1]!;
  const dateAt = head.findIndex((l) => DATE.test(l) && l.replace(DATE, '').trim().length === 0);
  if (dateAt >= 0) {
    h.date = DATE.exec(head[dateAt]!)![0];
    // Issuers sit just above the date, one per line, between the notice body and the date.
    const from = body ? head.indexOf(body) + 1 : 0;
    for (const l of head.slice(from, dateAt)) if (l && l.length <= 30 && ISSUER.test(l)) h.issuers.push(l);
  }
  const preamble = head.find((l) => /^为/.test(l) && /制定|特制|现制定/.test(l));
  if (preamble) h.preamble = preamble;
  return h;
}
