import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Vocabulary, prepareText } from '../../../src/domain/text/vocabulary.js';

const units = new Vocabulary([
  { text: '民政所', value: '镇民政所' },
  { text: '民政', value: '镇民政所' },
  { text: '派出所', value: '镇派出所' },
  { text: '宣传', value: '镇宣传办', notIn: ['法治宣传'] },
]);
const cats = new Vocabulary([
  { text: '留守儿童', value: '05' },
  { text: '留守', value: '05' },
  { text: '不良行为', value: '02' },
  { text: '严重不良行为', value: '02x' },
]);

describe('Vocabulary.findAll', () => {
  it('finds terms by characters, in reading order', () => {
    const ms = units.findAll('派出所和民政所分别干什么');
    expect(ms.map((m) => m.value)).toEqual(['镇派出所', '镇民政所']);
    expect(ms[1]).toMatchObject({ start: 4, end: 7, exact: 3 });
  });

  it('finds IME homophone typos by pinyin', () => {
    expect(cats.values('留手儿童归谁管')).toEqual(['05']);
    expect(units.values('民症所负责啥')).toEqual(['镇民政所']);
    expect(units.values('派处所')).toEqual(['镇派出所']);
  });

  it('refuses a match where fewer than half the characters are exact', () => {
    expect(units.values('敏症')).toEqual([]);
    expect(cats.values('六手儿童')).toEqual(['05']);
    expect(cats.values('六手而同')).toEqual([]);
  });

  it('prefers the longer term where terms overlap', () => {
    const ms = cats.findAll('严重不良行为青少年');
    expect(ms).toHaveLength(1);
    expect(ms[0]!.value).toBe('02x');
    expect(cats.findAll('留守儿童').map((m) => m.term)).toEqual(['留守儿童']);
  });

  it('ignores a term inside an excluded phrase only', () => {
    expect(units.values('法治宣传谁负责')).toEqual([]);
    expect(units.values('宣传办负责啥')).toEqual(['镇宣传办']);
    expect(units.values('宣传的任务')).toEqual(['镇宣传办']);
  });

  it('tolerates width, spaces and punctuation', () => {
    expect(units.values('（民 政 所）')).toEqual(['镇民政所']);
  });

  it('accepts prepared text and matches the same way', () => {
    const p = prepareText('派出所');
    expect(units.values(p)).toEqual(units.values('派出所'));
  });

  it('returns non-overlapping mentions inside the text for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.constantFrom('民政所', '留守儿童', '派出所', ''), (noise, word) => {
        const text = `${noise}${word}${noise}`;
        const p = prepareText(text);
        for (const v of [units, cats]) {
          const ms = v.findAll(p);
          let last = 0;
          for (const m of ms) {
            expect(m.start).toBeGreaterThanOrEqual(last);
            expect(m.end).toBeLessThanOrEqual(p.chars.length);
            last = m.end;
          }
        }
      }),
    );
  });
});
