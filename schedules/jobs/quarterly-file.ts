import type { AppDeps } from '../../src/core/context.js';
import type { ReplyFile } from '../../src/domain/model/message.js';
import { statsFor } from './quarterly.js';
import { periodRange } from '../../src/domain/calendar/shanghai.js';

/**
 * The bytes of a report a reply names: the quarterly workbook, as `report quarterly --format
 * xlsx` writes it (numbers only), up to now for the quarter still running.
 */
export async function quarterlyFile(deps: AppDeps, file: ReplyFile): Promise<Buffer> {
  const report = file.report;
  if (!report) throw new Error(`文件 ${file.name} 既没有内容也不是报表`);
  const now = deps.clock.now();
  const { end } = periodRange(report.period);
  const stats = await statsFor(deps, report.period, now < end ? now : end);
  // exceljs is the heaviest module the bot could load (~0.2 s, tens of MB): only a workbook asked for pays for it.
  const { quarterlyWorkbook } = await import('../../src/domain/followup/quarterly-xlsx.js');
  const data = await quarterlyWorkbook(stats, deps.config.town).xlsx.writeBuffer();
  return Buffer.from(data as ArrayBuffer);
}
