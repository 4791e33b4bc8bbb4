import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idCheckChar, parseIdNumber } from '../../../src/domain/parse-zh/id-number.js';

const now = new Date('2026-03-10T02:00:00Z');
export const makeId = (first17: string) => first17 + idCheckChar(first17);

describe('parseIdNumber', () => {
  it('accepts the well-known sample number and reads birth date and gender', () => {
    // The example from GB 11643-1999.
    expect(parseIdNumber('11010519491231002X', now)).toEqual({
      ok: true, id: '11010519491231002X', birthDate: { year: 1949, month: 12, day: 31 }, gender: '女',
    });
  });

  it('accepts spaces, full width and lower-case x', () => {
    const r = parseIdNumber('110105 19491231 002x', now);
    expect(r.ok && r.id).toBe('11010519491231002X');
    expect(parseIdNumber('１１０１０５１９４９１２３１００２Ｘ', now).ok).toBe(true);
  });

  it('reads gender from the 17th digit', () => {
    const r = parseIdNumber(makeId('34132420130506123'), now);
    expect(r.ok && r.gender).toBe('男');
  });

  it.each([
    ['110105194912310021', 'checksum'], ['11010519491331002X', 'date'], ['1101051949123100', 'length'],
    ['110105491231002', 'old15'], ['1101051949123100AX', 'format'],
  ])('rejects %s (%s)', (id, reason) => {
    expect(parseIdNumber(id, now)).toEqual({ ok: false, reason });
  });

  it('rejects a birth date after today', () => {
    expect(parseIdNumber(makeId('34132420270101123'), now)).toEqual({ ok: false, reason: 'future' });
  });

  it('accepts every number built with the right check character and no other last character', () => {
    const body = fc.tuple(fc.stringMatching(/^\d{6}$/), fc.date({ min: new Date('1950-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }), fc.stringMatching(/^\d{3}$/));
    fc.assert(fc.property(body, fc.constantFrom(...'0123456789X'), ([area, d, seq], last) => {
      const ymd = d.toISOString().slice(0, 10).replace(/-/g, '');
      const first17 = area + ymd + seq;
      return parseIdNumber(first17 + last, now).ok === (last === idCheckChar(first17));
    }));
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => typeof parseIdNumber(s, now).ok === 'boolean'));
  });
});
