import { defaultAliases, type AliasTable } from '../plan/aliases.js';
import type { Period, PlanCategory, PlanFrequency, PlanMatrix, PlanRequirement } from '../plan/types.js';
import { capabilityLines } from './capabilities.js';
import * as say from './compose.js';
import type { Intent } from './intents.js';
import { QaVocabulary, type Analysis, type TaskRef } from './understand.js';
import { parsePlanHeader, type PlanHeader } from './plan-header.js';
import { categoryRules, classify, type CategoryRule, type Classification, type Description } from './situation.js';
import { WordIndex, type WordHit } from './word-index.js';

/**
 * Answers a question from the responsibility matrix alone: no network, no model. Each answer
 * cites its clause; when the plan does not say, the answer says so and never names a unit.
 */

export type QaIntent =
  | 'empty'
  | 'greeting'
  | 'no-rule'
  | 'overall-lead'
  | 'frequency'
  | 'age'
  | 'targets'
  | 'goals'
  | 'requirements'
  | 'definition'
  | 'category-lead'
  | 'category-responsible'
  | 'category-who'
  | 'category-tasks'
  | 'category-overview'
  | 'unit-in-category'
  | 'unit-duties'
  | 'unit-leads'
  | 'unit-task'
  | 'task'
  | 'situation'
  | 'document'
  | 'principle'
  | 'villages'
  | 'passage';

export interface QaAnswer {
  text: string;
  /** False when the plan had nothing to say (the reply is the honest 「没有相关规定」 or a greeting). */
  matched: boolean;
  intent: QaIntent;
  /** Set when the question described a child and was classified against the definitions. */
  situation?: {
    fits: { code: string; name: string }[];
    /** The age the description gave (a range for 十一二岁), for an intake started from it. */
    age?: { min: number; max: number };
    /** About one particular child (an age, 有个…, 俺村…, several facts), not a kind of child. */
    specific: boolean;
  };
}

/** A task hit counts when its words are rare enough and cover most of what the question asked. */
const MIN_SCORE = 2.9;
const MIN_COVERAGE = 0.6;
/** Inside a named category there are only a few tasks, so one rare shared word is enough. */
const MIN_COVERAGE_IN_CATEGORY = 0.2;
const NEAR_BEST = 0.75;
/** A framing sentence must share this much rare wording with the whole question. */
const PASSAGE_MIN_SCORE = 4.5;
const PASSAGE_MIN_COVERAGE = 0.3;
const MAX_TASK_HITS = 4;

export class QaEngine {
  readonly vocab: QaVocabulary;
  private readonly rules: CategoryRule[];
  /** Category names as people write them (留守儿童, 服刑人员子女), longest first. */
  private readonly namePhrases: { phrase: string; category: PlanCategory }[];
  /** Every name and alias, for 「算X吗」 questions. */
  private readonly askedPhrases: { phrase: string; category: PlanCategory }[];

  constructor(
    readonly plan: PlanMatrix,
    aliases: AliasTable = defaultAliases(),
  ) {
    this.vocab = new QaVocabulary(plan, aliases);
    this.rules = categoryRules(plan);
    const phrases: { phrase: string; category: PlanCategory }[] = [];
    for (const c of plan.categories) {
      const entry = c.code ? aliases.category(c.code) : undefined;
      for (const n of [c.name, entry?.name ?? '', ...(entry?.aliases ?? [])]) {
        if (n && (n === c.name || PERSON_SUFFIX.test(n))) phrases.push({ phrase: n, category: c });
      }
    }
    this.namePhrases = phrases.sort((a, b) => b.phrase.length - a.phrase.length);
    this.askedPhrases = plan.categories
      .flatMap((c) => [c.name, ...((c.code ? aliases.category(c.code)?.aliases : undefined) ?? [])].map((phrase) => ({ phrase, category: c })))
      .filter((p) => p.phrase.length >= 2)
      .sort((a, b) => b.phrase.length - a.phrase.length);
  }

  /** The question classified as a described child, with the categories it names by name. */
  situation(question: string): { cls: Classification; named: PlanCategory[] } | undefined {
    let text = question.normalize('NFKC');
    const named: PlanCategory[] = [];
    // 「算流浪乞讨不」: a category asked about by a fact-like alias is not a fact about the child.
    for (const { phrase, category } of this.askedPhrases) {
      const re = new RegExp(`(算不算|算是|算|属于|是不是)${phrase}`);
      if (!re.test(text)) continue;
      text = text.replace(re, '$1，');
      if (!named.includes(category)) named.push(category);
    }
    for (const { phrase, category } of this.namePhrases) {
      if (!text.includes(phrase)) continue;
      text = text.split(phrase).join('，');
      if (!named.includes(category)) named.push(category);
    }
    const cls = classify(this.rules, text, named);
    return cls ? { cls, named } : undefined;
  }

  answer(question: string): QaAnswer {
    const a = this.withTaskWording(question, this.vocab.analyse(question));
    // 「多长时间内通报」 asks for a time limit a task sets, not how often something recurs.
    if (DEADLINE.test(a.text.norm)) a.intents.delete('frequency');
    const { intents: I, units } = a;
    const plan = this.plan;
    const has = (i: Parameters<typeof I.has>[0]) => I.has(i);

    if (a.text.norm.length === 0) return miss('empty', say.noRule());
    const byClause = this.taskByClause(a.text.norm);
    if (byClause) return byClause;
    const sit = this.situation(question);
    const d = sit?.cls.description;
    // 「派出所在流浪娃那块干啥」「坐牢人家的娃 多大以内才算」 name a group, not a child's facts.
    const aboutGroup = d !== undefined && !d.age && (GROUP_REFERENCE.test(a.text.norm) || ((units.length > 0 || has('age')) && !d.people));
    if (sit && d && !aboutGroup && !(!d.age && (has('tasks') || has('frequency')))) {
      const { fits, ruledOut } = sit.cls;
      return {
        ...hit('situation', say.situationAnswer(plan, fits.map((v) => ({ category: v.rule.category, reason: v.reason, ...(v.include ? { include: v.include } : {}) })), ruledOut.map((v) => ({ category: v.rule.category, reason: v.reason })))),
        situation: {
          fits: fits.map((v) => ({ code: v.rule.category.code ?? v.rule.category.key, name: v.rule.category.name })),
          ...(d.age ? { age: { min: d.age.min, max: d.age.max } } : {}),
          specific: isSpecificChild(question, d),
        },
      };
    }

    const framed = a.categories.length === 0 && a.units.length === 0 ? (this.framing(a) ?? this.principle(a) ?? this.villages(a)) : undefined;
    if (framed) return framed;

    if (LAW_AGE.test(a.text.norm) || /法(规定|第几条|律规定)|法律|法条/.test(a.text.norm)) {
      return miss('no-rule', say.noRule(LAW_AGE.test(a.text.norm) ? '方案没有写法律规定的具体年龄。' : '方案不解释法律条文。'));
    }
    // 「志愿者有没有补贴」: a money word the plan uses only elsewhere; say where, name no unit for it.
    const money = MONEY_WORD.exec(a.text.norm)?.[0];
    if (money) {
      const where = plan.categories.flatMap((c) => c.tasks.filter((t) => t.text.includes(money)));
      const named = where.filter((t) => a.categories.length === 0 || a.categories.some((c) => c.tasks.includes(t)));
      const quoted = named.filter((t) => this.vocab.tasks.search(a.runs).slice(0, 2).some((h) => h.item.task === t));
      if (quoted.length === 0) {
        const also = where.length > 0 ? `方案只在${where.map((t) => t.clause).join('、')}提到「${money}」：${where.map((t) => say.sentences(t.text).find((x) => x.includes(money))).join('')}` : `方案没有提到「${money}」。`;
        return miss('no-rule', say.noRule(also));
      }
    }
    if (has('unanswerable')) {
      return miss('no-rule', say.noRule('方案只规定职责分工、工作内容和频次，没有金额、补贴标准、联系方式、名单等具体信息。'));
    }

    // A unit this plan does not have (another town's 墩集中学): say so without naming it.
    const foreign = this.vocab.foreignUnits.filter((u) => question.includes(u));
    if (foreign.length > 0 && !plan.units.some((own) => foreign.some((u) => own.includes(u)) && question.includes(own))) {
      return miss('no-rule', say.noRule('本方案中没有这个单位，也就没有它的职责规定。'));
    }

    const taskHits = this.findTasks(a);
    const cats = a.categories.length > 0 || units.length > 0 || taskHits.length > 0 ? a.categories : this.categoriesByDefinition(a);

    if (has('frequency') && !has('definition')) {
      // 「每学期」「每周」: a period this plan never uses; 「学校…几次」: a unit no frequency is set for.
      const asked = askedPeriod(a.text.norm);
      const otherPeriod = asked && !plan.frequencies.some((f) => f.period === asked.period) ? asked.word : undefined;
      const unitWithout = cats.length === 0 && units.length > 0 && !plan.frequencies.some((f) => f.by !== undefined && units.includes(f.by));
      if (otherPeriod || unitWithout) {
        return miss('no-rule', say.noRule(`方案没有规定${otherPeriod ? `「${otherPeriod}」的频次` : `${units.join('、')}的工作频次`}。${say.knownFrequencies(plan)}`));
      }
      const fs = this.pickFrequencies(a, cats);
      if (fs.length > 0) return hit('frequency', say.frequencyAnswer(plan, fs));
      if (cats.length > 0) {
        const names = cats.map((c) => c.name).join('、');
        return miss('no-rule', say.noRule(`方案没有规定${names}的工作频次。${say.knownFrequencies(plan)}`));
      }
    }

    if (has('age') && cats.length > 0) return hit('age', say.ageAnswer(cats));
    if (has('age') && units.length === 0 && taskHits.length === 0 && plan.categories.length > 0) {
      return hit('age', say.ageAnswer(plan.categories));
    }

    if (cats.length === 0 && units.length === 0) {
      if (has('requirements') && !has('overall')) {
        const rs = this.pickRequirements(a);
        if (rs.length > 0) return hit('requirements', say.requirementsAnswer(rs));
        const p = this.passage(a);
        if (p) return p.answer;
        return miss('no-rule', say.noRule());
      }
      if (plan.overallLead.unit && (has('overall') || ((has('lead') || has('who')) && taskHits.length === 0 && isAboutWholeWork(a)))) {
        return hit('overall-lead', say.overallAnswer(plan));
      }
      // 「垃圾分类」: 分类 glued to words the plan never uses is not a question about its target groups.
      if (plan.targets.text && ((has('targets') && !this.hasStrayWords(a)) || (has('definition') && taskHits.length === 0 && isAboutWholeWork(a)))) {
        return hit('targets', say.targetsAnswer(plan));
      }
      if (has('goals') && plan.goals.text && a.runs.length === 0) return hit('goals', say.goalsAnswer(plan));
      // 「制定这个方案是为了…」 asks about the document itself: its framing passages win over a task sharing a word.
      const aboutPlan = /(制定|出台|印发)(这个|本|该)?(方案|文件)|(方案|文件)(的)?(目的|宗旨)/.test(a.text.norm);
      const p = this.passage(a, aboutPlan ? PASSAGE_MIN_COVERAGE / 2 : PASSAGE_MIN_COVERAGE);
      if (p) {
        const t = this.vocab.tasks.search([{ chars: [...a.text.chars], pinyin: [...a.text.pinyin] }])[0];
        if (taskHits.length === 0 || !t || p.score >= t.score || has('goals') || has('requirements') || aboutPlan) return p.answer;
      }
      if (has('goals') && plan.goals.text) return hit('goals', say.goalsAnswer(plan));
    }

    if (cats.length > 0 && units.length === 0) {
      const no = taskNumber(a.text.norm);
      if (no !== undefined && cats.length === 1) return hit('task', say.taskByNumberAnswer(cats[0]!, no));
      if (OUR_UNIT.test(a.text.norm) && cats.length === 1) return hit('category-who', say.whichOfUsAnswer(plan, cats[0]!));
      if (/牵头单位|牵头部门/.test(a.text.norm) || (has('lead') && !has('definition'))) {
        if (!has('tasks') || /牵头单位|牵头部门/.test(a.text.norm)) return hit('category-lead', cats.map((c) => say.leadAnswer(c, has('responsible'))).join('\n\n'));
      }
      if (RESPONSIBLE_WORD.test(a.text.norm)) return hit('category-responsible', cats.map(say.responsibleAnswer).join('\n\n'));
      if (TASK_LIST.test(a.text.norm)) return hit('category-tasks', cats.map(say.tasksAnswer).join('\n\n'));
      if (has('definition')) return hit('definition', cats.map(say.definitionAnswer).join('\n\n'));
      const inCats = taskHits.filter((h) => cats.includes(h.category));
      if (inCats.length > 0 && !(has('lead') && !has('who'))) return hit('task', say.taskAnswer(inCats));
      if (has('lead')) return hit('category-lead', cats.map((c) => say.leadAnswer(c, has('responsible'))).join('\n\n'));
      if (has('responsible')) return hit('category-responsible', cats.map(say.responsibleAnswer).join('\n\n'));
      if (has('tasks')) return hit('category-tasks', cats.map(say.tasksAnswer).join('\n\n'));
      if (has('who')) return hit('category-who', cats.map(say.whoAnswer).join('\n\n'));
      return hit('category-overview', cats.map(say.overviewAnswer).join('\n\n'));
    }

    if (units.length > 0) {
      if (cats.length > 0) {
        const askedLead = has('lead') && !has('tasks');
        return hit(
          'unit-in-category',
          units.flatMap((u) => cats.map((c) => say.unitInCategoryAnswer(u, c, askedLead))).join('\n\n'),
        );
      }
      if (taskHits.length > 0 && (has('has') || !has('tasks'))) {
        return hit('unit-task', units.map((u) => say.unitTaskCheck(u, taskHits)).join('\n\n'));
      }
      if (has('lead') && !has('tasks')) return hit('unit-leads', units.map((u) => say.unitLeadsAnswer(plan, u)).join('\n\n'));
      if (has('lead')) return hit('unit-leads', units.map((u) => say.unitLeadsAnswer(plan, u)).join('\n\n'));
      return hit('unit-duties', say.unitDutiesAnswer(plan, units));
    }

    if (taskHits.length > 0) return hit('task', say.taskAnswer(taskHits));
    if (has('requirements')) {
      const rs = this.pickRequirements(a);
      if (rs.length > 0) return hit('requirements', say.requirementsAnswer(rs));
    }
    if (has('greeting') && a.runs.length === 0) {
      return miss('greeting', ['您好，我是护苗助手，可以根据实施方案回答：', ...capabilityLines()].join('\n'));
    }
    return miss('no-rule', say.noRule());
  }

  /**
   * Questions about the plan as a document and its working principles: when and by whom it was
   * issued, to whom, what each village and each town unit must do, how 牵头 and 责任 units share
   * the work. Answered from the notice and section 四 in the plan's own words.
   */
  private framing(a: Analysis): QaAnswer | undefined {
    const q = a.text.norm;
    const plan = this.plan;
    const header = planHeaderOf(plan);
    const aboutDoc = /方案|文件|通知|文/.test(q) || a.runs.length === 0;
    if (/文号|发文字号|编号/.test(q)) return miss('no-rule', say.noRule(`方案正文没有写文号。${header?.date ? `印发日期：${header.date}。` : ''}`));
    if (/施行|生效|有效期|执行期|截止/.test(q) && aboutDoc) {
      return miss('no-rule', say.noRule(`方案没有写施行日期和有效期。${header?.date ? `印发日期：${header.date}。` : ''}`));
    }
    // 「这是哪个方案」: the plan's own title, which the matrix holds even without the notice text.
    const askWhich = /(哪个|哪份|哪一个|什么|啥)(方案|文件)|(方案|文件)(是)?(哪个|哪份|什么|啥)/.test(q) && a.runs.every((r) => /^(方案|文件)+$/.test(r.chars.join('')));
    if (!header) return askWhich && plan.title ? hit('document', [`方案全称：《${plan.title}》。`, '依据：方案标题'].join('\n')) : undefined;
    const parts: string[] = [];
    const askDate = /什么时候|啥时候|哪天|何时|日期|哪年|几月|时间/.test(q) && /发|印|出台|制定|下|成文|出的/.test(q);
    const askIssuer = /发文单位|发文机关|印发单位|落款|谁发|谁印发|谁制定|谁出的|哪.{0,4}(单位|部门|机关).{0,4}(印发|发的|发布|制定|联合)|联合印发/.test(q);
    const askMeeting = /会议|什么会|研究决定|哪个会/.test(q);
    const askRecipients = /发给谁|发给哪|主送|下发给|发到哪|发给了|给谁的|发往/.test(q);
    const askTitle = (/全称|标题|全名|名称|叫什么|叫啥/.test(q) && aboutDoc && !/单位|人|长|娃|孩子/.test(q)) || askWhich;
    if (askDate && header.date) parts.push(`印发日期：${header.date}。`);
    if (askIssuer && header.issuers.length > 0) parts.push(`发文单位：${header.issuers.join('、')}（联合印发）。`);
    if (askDate && !askIssuer && header.issuers.length > 0) parts.push(`发文单位：${header.issuers.join('、')}。`);
    if (askMeeting && header.decidedBy) parts.push(`经${header.decidedBy}研究决定印发。原文：${header.noticeBody}`);
    if (askRecipients && header.recipients) parts.push(`主送：${header.recipients}。${header.noticeBody ? `原文：${header.noticeBody}` : ''}`);
    if (askTitle && (header.fullTitle || plan.title)) parts.push(`方案全称：《${header.fullTitle ?? plan.title}》。${header.notice ? `印发通知：${header.notice}。` : ''}`);
    if (parts.length > 0) return hit('document', [...parts, '依据：印发通知'].join('\n'));
    return undefined;
  }

  /**
   * The question re-read with intent words that a matching task itself uses taken as content:
   * 「谁协助查找…的父母」 asks for the task that says 协助查找, not for the responsible units.
   * Only when the question has content words of its own besides (「留守儿童的责任单位」 has none).
   */
  private withTaskWording(question: string, a: Analysis): Analysis {
    if (a.runs.length === 0) return a;
    const candidates = [...new Set(a.intentTerms.filter((t) => WORDING_INTENTS.has(t.intent) && t.term.length >= 2).map((t) => t.term))];
    if (candidates.length === 0) return a;
    // One word at a time: read together, a word the task lacks (多久) would dilute the match.
    const used = candidates.filter((term) => {
      const best = this.findTasks(this.vocab.analyse(question, [term]))[0];
      return best !== undefined && best.task.text.includes(term);
    });
    return used.length > 0 ? this.vocab.analyse(question, used) : a;
  }

  /** Content words of the question that appear nowhere in the plan (垃圾 in 垃圾分类). */
  private hasStrayWords(a: Analysis): boolean {
    this.planText ??= [
      this.plan.title,
      this.plan.targets.text,
      this.plan.goals.text,
      this.plan.overallLead.text,
      ...this.plan.categories.flatMap((c) => [c.name, c.definition, ...c.includes, ...c.tasks.map((t) => t.text)]),
      ...this.plan.requirements.map((r) => r.text),
      ...this.plan.frequencies.map((f) => f.text),
    ].join('\n');
    const text = this.planText;
    return a.runs.some((r) => sharedWords(r.chars, text) === 0);
  }
  private planText: string | undefined;

  /** 「三（二）第3条」: the clause number the long lists point to. */
  private taskByClause(q: string): QaAnswer | undefined {
    // Normalised text has lost the brackets: 三（二）第3条 arrives as 三二第3条.
    const m = /([一二三四五六七八九十])([一二三四五六七八九十]{1,2})第([0-9一二三四五六七八九十]{1,3})[条项]/.exec(q);
    if (!m) return undefined;
    const c = this.plan.categories.find((x) => x.clause === `${m[1]}（${m[2]}）`);
    const no = taskNumber(`第${m[3]}条`);
    if (!c || no === undefined) return undefined;
    return hit('task', say.taskByNumberAnswer(c, no));
  }

  /** Sentences of the plan's framing passages (preamble, goals, targets, overall lead, section 四), each with its clause. */
  private framingSentences(): { text: string; clause: string; passage: string }[] {
    if (this.framingCache) return this.framingCache;
    const out: { text: string; clause: string; passage: string }[] = [];
    const add = (passage: string | undefined, clause: string) => {
      if (!passage) return;
      for (const t of say.sentences(passage)) out.push({ text: t, clause, passage });
    };
    add(planHeaderOf(this.plan)?.preamble, '方案开头');
    add(this.plan.targets.text, this.plan.targets.clause || '一');
    add(this.plan.goals.text, this.plan.goals.clause || '二');
    add(this.plan.overallLead.text, this.plan.overallLead.clause || '三');
    for (const r of this.plan.requirements) add(r.text, r.clause);
    if (planHeaderOf(this.plan)) this.framingCache = out;
    return out;
  }
  private framingCache: { text: string; clause: string; passage: string }[] | undefined;

  /** 「牵头单位和责任单位有什么区别」「谁负总责」: the sentences that state how lead and responsible units share the work. */
  private principle(a: Analysis): QaAnswer | undefined {
    const q = a.text.norm;
    const asks = /负总责|总责/.test(q) || (/牵头/.test(q) && /责任单位|责任/.test(q) && /区别|不同|分工|关系|什么意思|啥意思|怎么分|咋分|是什么/.test(q));
    if (!asks) return undefined;
    const found = this.framingSentences().filter((s) => /牵头/.test(s.text) && /责任单位/.test(s.text));
    if (found.length === 0) return undefined;
    const lines = found.map((s) => `〔${s.clause}〕${s.text}`);
    if (this.plan.overallLead.unit) lines.push(`全镇重点青少年群体服务管理工作的总牵头单位：${this.plan.overallLead.unit}（${this.plan.overallLead.clause}）；每一类群体另有牵头单位和责任单位（可问「留守儿童由哪个单位牵头」）。`);
    return hit('principle', [...lines, say.cite(found.map((s) => s.clause))].join('\n'));
  }

  /** 「各村要做什么」「镇直各单位要做什么」: section 四 and the tasks that name villages, quoted whole. */
  private villages(a: Analysis): QaAnswer | undefined {
    const q = a.text.norm;
    const village = /党总支|村民委员会|村委会|各村|村里|俺们村|我们村|俺村|咱村|咱们村|村委|村干部|本村|村级|村两委/.test(q);
    const townUnits = /镇直|各单位|各部门/.test(q);
    if (!village && !townUnits) return undefined;
    // 「村里修路归谁管」: something else is asked about the village.
    const rest = a.runs.map((r) => r.chars.join('').replace(VILLAGE_WORDS, '')).join('，');
    if (/\p{Script=Han}{2,}/u.test(rest)) return undefined;
    const word = village ? '村' : '镇直';
    const reqs = this.plan.requirements.filter((r) => r.text.includes(village ? '各村' : '镇直'));
    const lines: string[] = [];
    const clauses: string[] = [];
    for (const r of reqs) {
      lines.push(`〔${r.clause}〕${r.text}`);
      clauses.push(r.clause);
    }
    if (village) {
      for (const c of this.plan.categories) {
        for (const t of c.tasks) {
          const s = say.sentences(t.text).find((x) => /[镇、]村|村中|村为|各村/.test(x));
          if (s) {
            lines.push(`〔${t.clause}〕${s}`);
            clauses.push(t.clause);
          }
        }
      }
    }
    if (lines.length === 0) return undefined;
    const head = `实施方案对${word === '村' ? '各村' : '镇直各单位'}的要求：`;
    return hit('villages', [head, ...lines, say.cite(clauses)].join('\n'));
  }

  /** A question answered by a sentence of the framing passages, when one shares enough rare words with it. */
  private passage(a: Analysis, minCoverage = PASSAGE_MIN_COVERAGE): { answer: QaAnswer; score: number } | undefined {
    const ss = this.framingSentences();
    if (ss.length === 0) return undefined;
    this.passageIndex ??= new WordIndex(ss, (s) => s.text);
    const hits = this.passageIndex.search([{ chars: [...a.text.chars], pinyin: [...a.text.pinyin] }]);
    const best = hits[0];
    if (!best || best.score < PASSAGE_MIN_SCORE || best.coverage < minCoverage) return undefined;
    const picked = hits.filter((h) => h.score >= best.score * NEAR_BEST).slice(0, 3).map((h) => h.item);
    const lines = picked.map((s) => `〔${s.clause}〕${s.text}`);
    return { answer: hit('passage', [...lines, say.cite(picked.map((s) => s.clause))].join('\n')), score: best.score };
  }
  private passageIndex: WordIndex<{ text: string; clause: string; passage: string }> | undefined;

  /** Tasks the question's own words point to, best first; only clear matches. */
  private findTasks(a: Analysis): TaskRef[] {
    if (a.runs.length === 0) return [];
    const all = this.vocab.tasks.search(a.runs);
    const strong = (hs: WordHit<TaskRef>[], minCoverage = MIN_COVERAGE) => {
      const best = hs[0];
      if (!best || best.score < MIN_SCORE || best.coverage < minCoverage) return [];
      return hs
        .filter((h) => h.score >= best.score * NEAR_BEST && h.coverage >= minCoverage)
        .slice(0, MAX_TASK_HITS)
        .map((h) => h.item);
    };
    if (a.categories.length > 0) {
      const inCats = strong(
        all.filter((h) => a.categories.includes(h.item.category)),
        MIN_COVERAGE_IN_CATEGORY,
      );
      if (inCats.length > 0) return inCats;
    }
    return strong(all);
  }

  /** A category the question describes in the definition's own words, when it names none. */
  private categoriesByDefinition(a: Analysis): PlanCategory[] {
    const hits = this.vocab.definitions.search(a.runs);
    const best = hits[0];
    if (!best || best.score < MIN_SCORE || best.coverage < MIN_COVERAGE) return [];
    const second = hits[1];
    return second && second.score >= best.score * NEAR_BEST ? [] : [best.item];
  }

  private pickFrequencies(a: Analysis, cats: readonly PlanCategory[]): PlanFrequency[] {
    const q = a.text.norm;
    let fs = this.plan.frequencies;
    const byWhat = (what: PlanFrequency['what']) => fs.filter((f) => f.what === what);
    const narrowed = (next: PlanFrequency[]) => {
      if (next.length > 0) fs = next;
    };
    const asked = askedPeriod(q);
    if (cats.length > 0) {
      const keys = cats.map((c) => c.key);
      fs = fs.filter((f) => f.category !== undefined && keys.includes(f.category));
      // 「留守儿童家长会每学期开几次」: the category's frequency of the period asked, when it has one.
      if (asked) narrowed(fs.filter((f) => f.period === asked.period));
      return fs;
    }
    // 「每月几号前上报排查情况」 asks for the report day, which the report rule states, not the dispatch.
    const reports = /几号|几日|哪天|哪一天|日前|号前|号之前|日之前|截止/.test(q) ? byWhat('report') : [];
    if (reports.length > 0) {
      fs = reports;
      if (/风险|隐患|排查/.test(q)) narrowed(fs.filter((f) => /风险|隐患|排查/.test(f.text)));
      else if (/进展|进度/.test(q)) narrowed(fs.filter((f) => /进展|进度|工作开展/.test(f.text)));
    } else if (/风险|隐患|排查/.test(q)) narrowed(byWhat('risk-screening'));
    else if (/进展|进度/.test(q)) narrowed(byWhat('progress'));
    else if (/接触|联系|见面|走访|看望|探望|结对|帮扶|看/.test(q)) narrowed(byWhat('contact'));
    if (a.units.length > 0) narrowed(fs.filter((f) => f.by !== undefined && a.units.includes(f.by)));
    if (asked) narrowed(fs.filter((f) => f.period === asked.period));
    else if (/季度/.test(q)) narrowed(fs.filter((f) => f.period === 'quarter'));
    else if (/每月|每个月|一个月|月度/.test(q)) narrowed(fs.filter((f) => f.period === 'month'));
    // Several left (two 每学期 rules): the ones sharing most of the question's own words (法治副校长).
    if (fs.length > 1) {
      const shared = fs.map((f) => a.runs.reduce((n, r) => n + sharedWords(r.chars, f.text), 0));
      const most = Math.max(...shared);
      if (most > 0) fs = fs.filter((_, k) => shared[k] === most);
    }
    return fs;
  }

  /**
   * The requirements a question is about; all of them for a general question, none when its
   * remaining words (「网吧」检查) appear in no requirement.
   */
  private pickRequirements(a: Analysis): PlanRequirement[] {
    if (/工作要求|哪些要求|几条要求|要求有哪|要求有几|要求是什么|要求包括/.test(a.text.norm)) return this.plan.requirements;
    if (a.runs.length > 0 && this.vocab.requirements.search(a.runs).length === 0) return [];
    // Few passages, so any shared word is telling: 督导 appears in one requirement only.
    const hits = this.vocab.requirements.search([{ chars: [...a.text.chars], pinyin: [...a.text.pinyin] }]);
    const best = hits[0];
    if (!best) return this.plan.requirements;
    return hits.filter((h) => h.score >= best.score * NEAR_BEST).map((h) => h.item);
  }
}

/** How many two-character words of a run of the question's characters a text contains. */
function sharedWords(chars: readonly string[], text: string): number {
  let n = 0;
  for (let k = 0; k + 1 < chars.length; k++) if (text.includes(chars[k]! + chars[k + 1]!)) n++;
  return n;
}

/**
 * A who/lead question with nothing else named is about the work as a whole (「这事谁牵头」), but
 * only if no leftover words hint at something the plan may not cover (「修路归谁管」).
 */
function isAboutWholeWork(a: Analysis): boolean {
  return a.runs.length === 0 || /重点青少年|青少年|这项工作|整个|全镇|全部/.test(a.text.norm);
}

function hit(intent: QaIntent, text: string): QaAnswer {
  return { text, matched: true, intent };
}

function miss(intent: QaIntent, text: string): QaAnswer {
  return { text, matched: false, intent };
}

/** 「那块」「这一块」「方面」: the question points at a whole group of children, not one child. */
const GROUP_REFERENCE = /那块|这块|那一块|这一块|方面|那一类|这一类|这类|那类|人家的娃|人家娃|家的孩子们/;

/** The whole task list of a category is asked for. */
const TASK_LIST = /工作内容|哪些工作|哪几项|几项工作|几件事|哪几件|哪些事|做哪些|干啥活|要干啥|要做啥|哪些任务|什么任务|任务有哪|有几条|几条任务|工作有哪|要做什么|做些什么|干些什么/;

/** 「我们所」「我们单位」: the asker's own unit, not named. */
const OUR_UNIT = /^(我们|咱们|俺们|我)(所|单位|部门|院|校|这)/;

/** 「第三条」「第4项」「第二件」 → 3, 4, 2. */
function taskNumber(q: string): number | undefined {
  const m = /第([0-9一二三四五六七八九十]{1,3})(条|项|件|点)/.exec(q);
  if (!m) return undefined;
  const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : '一二三四五六七八九十'.indexOf(m[1]!) + 1;
  return n > 0 ? n : undefined;
}

/** Words that name the villages or the town's units as a whole, and filler around them. */
const VILLAGE_WORDS = /党总支|村民委员会|村委会|各村|村里|俺们村|我们村|俺村|咱村|咱们村|村委|村干部|本村|村级|村两委|镇直|各单位|各部门|在|这个|方案|里|们|之间|呀|啊/g;

/** Words that point at one particular child rather than a kind of child. */
const PARTICULAR = /有个|有一个|有一名|有位|这个娃|那个娃|这娃|那娃|这孩子|那孩子|俺村|我们村|咱村|我班|班上|邻居|亲戚|表弟|表妹|朋友家|我家|他家|她家|家里/;

function isSpecificChild(question: string, d: Description): boolean {
  const strong = new Set([...d.child, ...d.father.facts, ...d.mother.facts].filter((f) => f !== 'inSchool' && f !== 'working' && f !== 'home'));
  return d.age !== undefined || strong.size >= 2 || PARTICULAR.test(question);
}

/**
 * Period words and the period each asks about, most specific first (每半年 before 每年). 每月 and
 * 每季度 are left to pickFrequencies: every plan of this kind sets them.
 */
const PERIOD_WORDS: readonly [RegExp, Period | 'day'][] = [
  [/半年/, 'half-year'],
  [/半个?月/, 'half-month'],
  [/每学期|一学期/, 'semester'],
  [/每周|每星期|一周/, 'week'],
  [/每年|一年/, 'year'],
  [/每天|每日/, 'day'],
];

/** The period a question names, if any; 'day' is a period no plan of this kind sets. */
function askedPeriod(q: string): { word: string; period: Period | 'day' } | undefined {
  for (const [re, period] of PERIOD_WORDS) {
    const m = re.exec(q);
    if (m) return { word: m[0], period };
  }
  return undefined;
}

/** 「多长时间内」「几天内」: a time limit, answered by the task that sets it. */
const DEADLINE = /(多长时间|多久|几天|多少天|几个月|多长)(以内|之内|内)/;

/** Words that ask for the responsible units by name. */
const RESPONSIBLE_WORD = /责任单位|责任部门|配合单位|配合部门|成员单位/;

/**
 * Intent words that may also be a task's own wording (认定 in 认定审核, 协助 in 协助查找, 通报 in
 * 通报至): read as content when the task they point to uses them. Who, lead and task words stay
 * intents: every task says 负责, 牵头 or 要做.
 */
const WORDING_INTENTS: ReadonlySet<Intent> = new Set(['definition', 'responsible', 'requirements', 'frequency', 'targets', 'goals']);

/** Money words: answered only where a clause itself uses the word. */
const MONEY_WORD = /补贴|补助|经费|报酬|工资|奖金|津贴/;

/** Age thresholds of the law the plan names without a number. */
const LAW_AGE = /刑事责任年龄|刑事处罚年龄|入学年龄|几岁入学|法定年龄|劳动年龄/;

/** Alias names that are a category's name, not a fact about a child (留守娃 yes, 坐牢 no). */
const PERSON_SUFFIX = /(儿童|青少年|青年|子女|未成年人|娃|孩子|人员|少年|小孩)$/;

const engines = new WeakMap<PlanMatrix, QaEngine>();

/** The engine for a plan, built on first use and kept while the plan object lives. */
export function qaEngineFor(plan: PlanMatrix): QaEngine {
  let e = engines.get(plan);
  if (!e) {
    e = new QaEngine(plan);
    engines.set(plan, e);
  }
  return e;
}

export function answerQuestion(plan: PlanMatrix, question: string): QaAnswer {
  return qaEngineFor(plan).answer(question);
}



const headers = new WeakMap<PlanMatrix, PlanHeader>();

/**
 * Gives the Q&A the plan's own text, for what the matrix does not hold: the notice's date,
 * issuers, recipients and the preamble. Without it those questions get 「没有相关规定」.
 */
export function attachPlanText(plan: PlanMatrix, text: string): void {
  if (!headers.has(plan)) headers.set(plan, parsePlanHeader(text));
}

export function planHeaderOf(plan: PlanMatrix): PlanHeader | undefined {
  return headers.get(plan);
}
