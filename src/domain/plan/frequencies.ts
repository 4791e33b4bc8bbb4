import { chineseNumeral } from './headings.js';
import type { Period, PlanFrequency } from './types.js';

/**
 * Every frequency a sentence states: 每周(六), 每半月, 每(个)月(25日前), 每(个)季度(最后一个月的20日前),
 * 每半年, 每年(N次), 每学期(N次), and a 年度…考核. What it is about comes from the words around it.
 */

const PERIOD = /每(?:个)?(半个?月|半年|周|星期|月|季度|学期|年)|年度[^，。,.；;]{0,10}考核/g;

function periodOf(word: string): Period {
  if (word.startsWith('年度')) return 'year';
  if (/半个?月/.test(word)) return 'half-month';
  if (word === '半年') return 'half-year';
  if (word === '周' || word === '星期') return 'week';
  if (word === '月') return 'month';
  if (word === '季度') return 'quarter';
  if (word === '学期') return 'semester';
  return 'year';
}

const CONTACT = /接触|联系|走访|家访|探访|回访|谈话|见面|看望|探望/;

function whatOf(clause: string, day: number | undefined, rest: string): PlanFrequency['what'] {
  if (/调度/.test(clause) && /风险|隐患|排查/.test(clause)) return 'risk-screening';
  if (/调度|通报/.test(clause) && /进展|进度/.test(clause)) return 'progress';
  // 「每月25日前将…报送街道团工委」: a day and, later in the sentence, where it is sent.
  if (day !== undefined && /报送|上报|报(?!告)/.test(rest)) return 'report';
  if (CONTACT.test(clause) && !/会议|培训|核对/.test(clause)) return 'contact';
  if (/风险|隐患/.test(clause) && /排查/.test(clause) && /调度/.test(clause)) return 'risk-screening';
  return 'other';
}

export interface FoundFrequency {
  period: Period;
  times: number;
  day?: number;
  what: PlanFrequency['what'];
  /** Offset of the match in the sentence. */
  at: number;
}

const TIMES = /(?:至少|不少于|不低于)?\s*([\d一二两三四五六七八九十]+)\s*次/;

export function frequenciesIn(sentence: string): FoundFrequency[] {
  const out: FoundFrequency[] = [];
  const matches = [...sentence.matchAll(PERIOD)];
  matches.forEach((m, i) => {
    const word = m[1] ?? m[0];
    const period = periodOf(word);
    // The clause the frequency governs: up to the next frequency or the end of the clause.
    const from = m.index + m[0].length;
    const next = matches[i + 1]?.index ?? sentence.length;
    let end = sentence.slice(from, next).search(/[。；;，,]/);
    end = end < 0 ? next : from + end;
    const tail = sentence.slice(from, end);
    const clauseStart = Math.max(sentence.lastIndexOf('，', m.index), sentence.lastIndexOf(',', m.index), sentence.lastIndexOf('；', m.index), sentence.lastIndexOf(';', m.index)) + 1;
    const clause = sentence.slice(clauseStart, end);
    const times = TIMES.exec(tail);
    const dayM = /^[^，。,.；;]{0,12}?(\d{1,2})日/.exec(tail);
    const day = dayM && (period === 'month' || period === 'quarter') ? Number(dayM[1]) : undefined;
    out.push({
      period,
      times: times ? chineseNumeral(times[1] === '两' ? '二' : times[1]!) : 1,
      ...(day !== undefined ? { day } : {}),
      what: whatOf(clause, day, sentence.slice(m.index)),
      at: m.index,
    });
  });
  return out;
}

/** 「报送街道团工委」/「报镇综治中心」/「报县委政法委」: where a report goes, as written. */
export function reportTarget(sentence: string): string | undefined {
  const m = /(?:报送|上报|报)(?:至|给)?([^，。,.；;、]{2,12}?)(?:[，。,.；;]|$|，由|汇总)/.exec(sentence);
  return m?.[1];
}
