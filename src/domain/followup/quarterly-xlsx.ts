import ExcelJS from 'exceljs';
import { localDateKey } from '../calendar/shanghai.js';
import { percent, type Count, type QuarterStats } from './quarterly-stats.js';

/**
 * The quarter's statistics as an Excel workbook for the county office: one sheet per table,
 * counts only — no names, ID numbers, case codes or villages below the listed totals.
 */
export function quarterlyWorkbook(s: QuarterStats, town: string): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = `${town}护苗助手`;
  const sheet = (name: string, header: string[], rows: Array<Array<string | number>>) => {
    const ws = wb.addWorksheet(name);
    ws.addRow(header).font = { bold: true };
    for (const r of rows) ws.addRow(r);
    ws.columns.forEach((c, i) => (c.width = i === 0 ? 28 : 14));
    return ws;
  };
  const counts = (rows: Count[]) => rows.map((r) => [r.label, r.count]);
  sheet('概况', ['项目', '数值'], [
    ['单位', town],
    ['季度', s.quarter],
    ['统计截至', localDateKey(s.asOf)],
    ['在册个案', s.open],
    ['本季度新增', s.newCases],
    ['本季度结案', s.closed],
    ['本季度走访联系次数', s.contacts],
    ['本季度帮扶覆盖率', percent(s.quarterCoverage.rate)],
    ['当前逾期未联系', s.overdue],
  ]);
  sheet('按类别', ['类别', '在册人数'], counts(s.byCategory));
  sheet('按村', ['村', '在册人数'], counts(s.byVillage));
  sheet('按风险等级', ['风险等级', '在册人数'], counts(s.byRisk));
  sheet('新增', ['类别', '本季度新增'], counts(s.newByCategory));
  sheet('结案', ['结案原因', '本季度结案'], counts(s.closedByReason));
  sheet('走访', ['联系方式', '次数'], counts(s.contactsByMethod));
  sheet('帮扶覆盖率', ['月份', '应联系', '已联系', '覆盖率', '说明'], [
    ...s.coverage.map((m) => [m.month, m.due, m.covered, percent(m.rate), m.complete ? '' : '月份未结束，截至统计日']),
    ['本季度合计', s.quarterCoverage.due, s.quarterCoverage.covered, percent(s.quarterCoverage.rate), '三个月合计'],
  ]);
  sheet('排查上报', ['月份', '已报单位数', '未报单位'], s.screening.map((m) => [m.month, m.reported.length, m.missing.join('、')]));
  return wb;
}
