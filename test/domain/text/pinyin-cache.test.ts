import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { useParseCache } from '../../../src/config/parse-cache.js';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { QaEngine } from '../../../src/domain/qa/answer.js';
import { pinyin, spellingsEach, toPinyin, toPinyinEach } from '../../../src/domain/text/pinyin.js';
import { matchChoices } from '../../../src/domain/parse-zh/choice.js';

const dir = mkdtempSync(join(tmpdir(), 'humiao-pinyin-cache-'));
afterEach(() => useParseCache(undefined));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Q&A corpus pinyin, cached by a compiled run', () => {
  it('is the pinyin computed afresh, and the answers built on it are the same', () => {
    const texts = ['流浪乞讨未成年人的回归安置', '加强农村留守儿童的关爱服务', '', '银行行长'];
    useParseCache({ dir, version: 'v1' });
    const first = toPinyinEach(texts);
    const second = toPinyinEach(texts);
    expect(readdirSync(dir).filter((f) => f.startsWith('pinyin-'))).toHaveLength(1);
    expect(first).toEqual(texts.map(toPinyin));
    expect(second).toEqual(first);

    const plan = loadPlanFile(join(import.meta.dirname, '../../../plans/dunji-2023.txt'));
    const questions = ['流浪乞讨未成年人由哪个单位牵头？', '回归安置谁负责', '留手儿童归谁管', '每月要走访几次'];
    const cached = new QaEngine(plan);
    useParseCache(undefined);
    const fresh = new QaEngine(plan);
    for (const q of questions) expect(cached.answer(q)).toEqual(fresh.answer(q));
  });

  it('spells choices as computed afresh, and picks the same ones from them', () => {
    const names = ['李建中', '王芳', '镇民政所', '长乐村'];
    useParseCache({ dir, version: 'v2' });
    const first = spellingsEach(names);
    expect(spellingsEach(names)).toEqual(first);
    expect(first).toEqual({
      initials: names.map((n) => pinyin(n, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase()),
      spelled: names.map((n) => pinyin(n, { toneType: 'none', type: 'array', v: true }).join('').toLowerCase()),
    });
    const options = names.map((n, i) => ({ label: n, value: `v${i}` }));
    const cached = ['ljz', 'wangfang', 'mzs', '长乐', '3'].map((a) => matchChoices(a, options));
    useParseCache(undefined);
    const again = names.map((n, i) => ({ label: n, value: `v${i}` }));
    expect(['ljz', 'wangfang', 'mzs', '长乐', '3'].map((a) => matchChoices(a, again))).toEqual(cached);
  });
});
