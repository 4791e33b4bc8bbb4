import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { MatrixFileError, matrixToYaml, parseMatrixYaml } from '../../../src/domain/plan/matrix-file.js';
import { parsePlan } from '../../../src/domain/plan/parse.js';
import { answerQuestion } from '../../../src/domain/qa/answer.js';
import { EXAMPLES, loadExample } from '../../helpers/example-plans.js';

const dunjiText = readFileSync(new URL('../../../plans/dunji-2023.txt', import.meta.url), 'utf8');
const qa = (parseYaml(readFileSync(new URL('../../fixtures/qa.yaml', import.meta.url), 'utf8')) as { q: string }[]).map((c) => c.q);

describe('the reviewable matrix YAML', () => {
  it('round-trips the bundled plan: every Q&A answer is the same from the YAML as from the text', () => {
    const fromText = parsePlan(dunjiText);
    const fromYaml = parseMatrixYaml(matrixToYaml(fromText, 'plans/dunji-2023.txt'), 'dunji.matrix.yaml');
    for (const q of qa) expect(answerQuestion(fromYaml, q).text, q).toBe(answerQuestion(fromText, q).text);
  });

  it.each(EXAMPLES)('round-trips %s: categories, tasks, frequencies and contact rules', (name) => {
    const { plan } = loadExample(name);
    const back = parseMatrixYaml(matrixToYaml(plan, name), name);
    expect(back.categories.map((c) => [c.key, c.name, c.leadUnits, c.responsibleUnits, c.tasks.map((t) => t.units), c.contact?.period])).toEqual(
      plan.categories.map((c) => [c.key, c.name, c.leadUnits, c.responsibleUnits, c.tasks.map((t) => t.units), c.contact?.period]),
    );
    expect(back.frequencies.map((f) => [f.period, f.times, f.day, f.category])).toEqual(plan.frequencies.map((f) => [f.period, f.times, f.day, f.category]));
    expect(new Set(back.units)).toEqual(new Set(plan.units.filter((u) => back.units.includes(u))));
  });

  it('uses the admin’s correction', () => {
    const doc = parseYaml(matrixToYaml(parsePlan(dunjiText), 'x')) as { categories: { leads: string[]; contact: unknown }[] };
    doc.categories[1]!.leads = ['镇团委'];
    doc.categories[1]!.contact = { period: 'half-month', times: 1, text: '改为每半月', clause: '三（二）第4条' };
    const m = parseMatrixYaml(stringify(doc), 'x.yaml');
    expect(m.categories[1]!.leadUnits).toEqual(['镇团委']);
    expect(m.categories[1]!.contact?.period).toBe('half-month');
    expect(answerQuestion(m, '闲散青少年谁牵头').text).toContain('镇团委');
  });

  it('names the path of what is wrong, in Chinese', () => {
    const doc = parseYaml(matrixToYaml(parsePlan(dunjiText), 'x')) as { categories: { code: string; contact: unknown; leads: string[] }[]; frequencies: { period: string }[] };
    doc.categories[0]!.code = '07';
    doc.categories[2]!.leads = [];
    doc.frequencies[0]!.period = 'monthly';
    let message = '';
    try {
      parseMatrixYaml(stringify(doc), 'x.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(MatrixFileError);
      message = (e as Error).message;
    }
    expect(message).toContain('categories[0].code');
    expect(message).toContain('frequencies[0].period');
    expect(message).toMatch(/应为 week（每周）/);
    // Cross-checks run once the shape is right.
    const ok = parseYaml(matrixToYaml(parsePlan(dunjiText), 'x')) as { categories: { leads: string[] }[] };
    ok.categories[2]!.leads = [];
    expect(() => parseMatrixYaml(stringify(ok), 'x.yaml')).toThrow(/categories\[2\]\.leads：「流浪乞讨未成年人」没有牵头单位/);
    expect(() => parseMatrixYaml('title: [', 'y.yaml')).toThrow(/不是合法的 YAML/);
  });

  it('refuses a misspelt field instead of leaving the real one empty', () => {
    const doc = parseYaml(matrixToYaml(parsePlan(dunjiText), 'x')) as { categories: Array<Record<string, unknown>> };
    doc.categories[1]!.responsibles = doc.categories[1]!.responsible;
    delete doc.categories[1]!.responsible;
    expect(() => parseMatrixYaml(stringify(doc), 'x.yaml')).toThrow(/categories\[1\]：未知的字段「responsibles」（拼写错误？）/);
  });
});
