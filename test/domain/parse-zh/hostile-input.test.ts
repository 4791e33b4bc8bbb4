import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAgeInText, parseAge } from '../../../src/domain/parse-zh/age.js';
import { matchChoices } from '../../../src/domain/parse-zh/choice.js';
import { parseDate } from '../../../src/domain/parse-zh/date.js';
import { compactDigits, parseIdNumber } from '../../../src/domain/parse-zh/id-number.js';
import { extractMobile, parseMobile } from '../../../src/domain/parse-zh/mobile.js';
import { normalizeInput, stripEdgePunctuation } from '../../../src/domain/parse-zh/normalize.js';
import { parseChineseNumber } from '../../../src/domain/parse-zh/numerals.js';
import { parsePersonName } from '../../../src/domain/parse-zh/person-name.js';
import { parseYesNo } from '../../../src/domain/parse-zh/yes-no.js';
import { hostileText, huge, NASTY } from '../../helpers/hostile.js';

const NOW = new Date('2026-11-29T02:00:00Z');
const OPTIONS = [
  { value: 'a', label: '家长管教', aliases: ['家长教育'] },
  { value: 'b', label: '公安机关矫治教育措施', aliases: ['派出所处理'] },
  { value: 'c', label: '不详', aliases: ['不清楚'] },
];

/** Every parser, with the shape its answer must have whatever the input. */
function parseAll(s: string): void {
  const age = parseAge(s);
  expect(age === undefined || (Number.isInteger(age) && age >= 0 && age < 150)).toBe(true);
  findAgeInText(s);
  const choice = matchChoices(s, OPTIONS);
  expect(typeof choice).toBe('object');
  matchChoices(s, OPTIONS, { multi: true } as never);
  const date = parseDate(s, NOW);
  expect(typeof date.ok).toBe('boolean');
  expect(typeof compactDigits(s)).toBe('string');
  const id = parseIdNumber(s, NOW);
  if (id.ok) expect(id.id).toMatch(/^\d{17}[\dX]$/);
  const mobile = parseMobile(s);
  expect(mobile === undefined || /^1\d{10}$/.test(mobile)).toBe(true);
  extractMobile(s);
  expect(typeof normalizeInput(s)).toBe('string');
  expect(typeof stripEdgePunctuation(s)).toBe('string');
  const n = parseChineseNumber(s);
  expect(n === undefined || Number.isFinite(n)).toBe(true);
  const name = parsePersonName(s);
  expect(name === undefined || (name.length >= 2 && name.length <= 30)).toBe(true);
  const yn = parseYesNo(s);
  expect(yn === undefined || typeof yn === 'boolean').toBe(true);
}

describe('parsers under hostile input', () => {
  it('never throw and always answer in their own shape on random Unicode, controls and injection text', () => {
    fc.assert(fc.property(hostileText(), (s) => parseAll(s)), { numRuns: 400 });
  });

  it.each(NASTY)('handles %j', (s) => parseAll(s));

  it('handle 100 KB messages', () => {
    for (const seed of ['王', '1', '一', 'a ', '\u0000', '13812345678', '2013年5月6日', NASTY[0]!]) parseAll(huge(seed));
  });
});
