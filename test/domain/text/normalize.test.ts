import { describe, expect, it } from 'vitest';
import { nameKey, normalizeText, stripTownPrefix } from '../../../src/domain/text/normalize.js';
import { toPinyin } from '../../../src/domain/text/pinyin.js';

describe('normalizeText', () => {
  it('folds width and case and drops spaces and punctuation', () => {
    expect(normalizeText('（镇 民政所）？')).toBe('镇民政所');
    expect(normalizeText('ＡＢＣ１２３　ok!')).toBe('abc123ok');
    expect(normalizeText('“留守儿童”，谁管？')).toBe('留守儿童谁管');
  });
});

describe('unit name keys', () => {
  it('make the 镇 prefix optional', () => {
    expect(nameKey('镇民政所')).toBe(nameKey('民政所'));
    expect(nameKey(' 镇 民政所 ')).toBe('民政所');
  });
  it('never shrink a name to one character', () => {
    expect(stripTownPrefix('镇团')).toBe('镇团');
    expect(stripTownPrefix('镇')).toBe('镇');
  });
});

describe('toPinyin', () => {
  it('gives one toneless syllable per character and keeps other characters', () => {
    expect(toPinyin('留手儿童')).toEqual(['liu', 'shou', 'er', 'tong']);
    expect(toPinyin('a1牵')).toEqual(['a', '1', 'qian']);
    expect(toPinyin('')).toEqual([]);
  });
});
