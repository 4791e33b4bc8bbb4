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
  const m = /(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}/.exec(text);
  if (!m) return undefined;
  const mobile = parseMobile(m[0]);
  if (!mobile) return undefined;
  // Digits glued on either side mean this is part of a longer number, not a phone.
  const before = text[m.index - 1];
  const after = text[m.index + m[0].length];
  if ((before && /\d/.test(before)) || (after && /\d/.test(after))) return undefined;
  return { mobile, rest: (text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length)).trim() };
}
