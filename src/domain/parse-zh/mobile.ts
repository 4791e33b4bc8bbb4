import { compactDigits } from './id-number.js';

const MOBILE = /^1[3-9]\d{9}$/;

/** A mainland mobile number, tolerating spaces, dashes and a +86/86 prefix; undefined otherwise. */
export function parseMobile(input: string): string | undefined {
  let s = compactDigits(input).replace(/^\+?86(?=1\d{10}$)/, '');
  s = s.replace(/^0086(?=1\d{10}$)/, '');
  return MOBILE.test(s) ? s : undefined;
}

/** The first mobile number inside free text, with the text around it. */
export function extractMobile(input: string): { mobile: string; rest: string } | undefined {
  const text = input.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  // Every candidate is tried: an ID number earlier in the text holds digit runs that look like one.
  for (const m of text.matchAll(/(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}/g)) {
    const mobile = parseMobile(m[0]);
    if (!mobile) continue;
    // Digits glued on either side mean this is part of a longer number, not a phone.
    const before = text[m.index - 1];
    const after = text[m.index + m[0].length];
    if ((before && /[\dXx]/.test(before)) || (after && /[\dXx]/.test(after))) continue;
    return { mobile, rest: (text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length)).trim() };
  }
  return undefined;
}
