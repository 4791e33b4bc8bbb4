import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { useParseCache } from '../../../src/config/parse-cache.js';
import { loadPlanFile } from '../../../src/domain/plan/load.js';
import { QaEngine } from '../../../src/domain/qa/answer.js';
import { toPinyin, toPinyinEach } from '../../../src/domain/text/pinyin.js';

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
});
