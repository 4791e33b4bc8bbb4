import type { ContactMethod, RiskLevel } from '../model/records.js';
import { normalizeInput, stripEdgePunctuation } from '../parse-zh/normalize.js';
import { CONTACT_DATE_PATTERN, parseContactDate } from './contact-date.js';

/** 「走访 DJ-2026-0001 …」, 「帮扶记录 …」: a message that logs a contact. */
export const CONTACT_TRIGGER = /^(?:记录走访|走访记录|登记走访|走访|帮扶记录|联系记录|帮扶走访)(?=$|[\s:：,，]|[A-Za-z])/;

export const CONTACT_METHODS: readonly ContactMethod[] = ['上门', '电话', '微信', '在校', '其他'];

const METHOD_WORDS: ReadonlyArray<[RegExp, ContactMethod]> = [
  [/(?:上门|入户|家访|登门|到家里?)(?:走访|看望|探望|联系|了解)?/, '上门'],
  [/(?:打电话|电话|通话|电联)(?:联系|沟通|回访|了解)?/, '电话'],
  [/(?:微信|视频)(?:联系|沟通|通话|聊天)?/, '微信'],
  [/(?:在校|到校|学校|校内)(?:见面|谈话|谈心|联系|走访)?/, '在校'],
  [/(?:其他方式|其它方式|其他|其它)(?:联系)?/, '其他'],
];

const RISK = /(?:风险(?:等级)?\s*(?:调整为|调整到|调为|改为|降为|升为|变为|为|是|[:：])?\s*([低中高])(?!\S*风险))|(?:([低中高])风险)/;

/**
 * `dj-2026-1` → `DJ-2026-0001`. The serial has any width: codes are padded to four digits, and
 * a county registers more than 9,999 cases a year (`DJ-2026-39402`).
 */
export const CASE_CODE = /(?<![A-Za-z])([A-Za-z]{1,6})-?\s?(\d{4})-?\s?(\d{1,9})(?!\d)/;

/** The canonical code the store writes: prefix upper-cased, serial without extra zeros, padded to four. */
export function caseCodeOf(prefix: string, year: string, serial: string): string {
  const digits = serial.replace(/^0+(?=\d)/, '');
  return `${prefix.toUpperCase()}-${year}-${digits.padStart(4, '0')}`;
}

export function normalizeCaseCode(m: RegExpExecArray): string {
  return caseCodeOf(m[1]!, m[2]!, m[3]!);
}

export function findCaseCode(text: string): { code: string; rest: string } | undefined {
  const s = normalizeInput(text);
  const m = CASE_CODE.exec(s);
  return m ? { code: normalizeCaseCode(m), rest: (s.slice(0, m.index) + ' ' + s.slice(m.index + m[0].length)).trim() } : undefined;
}

export interface ContactParts {
  code?: string;
  date?: string;
  dateError?: 'invalid' | 'future';
  method?: ContactMethod;
  riskLevel?: RiskLevel;
  notes?: string;
}

/**
 * Reads the fields of a contact from free text (trigger word already removed): case code, a date
 * word, a method word, a new risk level; what is left is the note. Used both for the one-message
 * form and for each answer of the guided form, so 「昨天 电话」 fills two fields at once.
 */
export function parseContactParts(text: string, now: Date): ContactParts {
  let s = normalizeInput(text);
  const out: ContactParts = {};
  const code = CASE_CODE.exec(s);
  if (code) {
    out.code = normalizeCaseCode(code);
    s = cut(s, code.index, code[0].length);
  }
  const date = CONTACT_DATE_PATTERN.exec(s);
  if (date) {
    const r = parseContactDate(date[0], now);
    if (r.ok) out.date = r.date;
    else out.dateError = r.reason;
    s = cut(s, date.index, date[0].length);
  }
  for (const [re, method] of METHOD_WORDS) {
    const m = re.exec(s);
    if (m) {
      out.method = method;
      s = cut(s, m.index, m[0].length);
      break;
    }
  }
  const risk = RISK.exec(s);
  if (risk) {
    out.riskLevel = (risk[1] ?? risk[2]) as RiskLevel;
    s = cut(s, risk.index, risk[0].length);
  }
  const notes = stripEdgePunctuation(s.replace(/\s*([,，。;；])\s*(?=[,，。;；]|$)/g, '$1').replace(/^[,，。;；\s]+/, '')).replace(/\s+/g, ' ');
  if (notes) out.notes = notes;
  return out;
}

function cut(s: string, index: number, length: number): string {
  return `${s.slice(0, index)} ${s.slice(index + length)}`.replace(/\s+/g, ' ').trim();
}
