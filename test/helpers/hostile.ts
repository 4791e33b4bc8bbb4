import fc from 'fast-check';

/** Text that has broken chat bots before: injection, markup, control characters, odd Unicode. */
export const NASTY = [
  "'; DROP TABLE cases;--",
  '" OR 1=1 --',
  'Robert\'); DELETE FROM audit_log; --',
  '**粗体** [链接](javascript:alert(1)) <script>alert(1)</script> `code` > 引用',
  '<@all> @所有人',
  '\u0000\u0001\u0007\u001b[31m\u007f',
  '\u202e\u200b\u200d\ufeff',
  '\ud800',
  '𠀀𪚥🧒🏽‍👩‍👧',
  '一二三四五六七八九十百千万亿',
  '１２３４５６７８９０１２３４５６７８',
  '341324201305061234341324201305061234',
  '\r\n\t  \n',
  '${process.exit(1)}',
  '%s%n%x',
  '新增个案' + '\u0000',
  '查看 DJ-9999-9999 完整 ' + 'x'.repeat(500),
];

/** Random text of every kind, including lone surrogates, controls and the strings above. */
export const hostileText = (maxLength = 200): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.constantFrom(...NASTY),
    fc.array(fc.constantFrom(...NASTY, '王小明', '2013年5月', '13812345678', '确认', '取消', '继续', '1', '是'), { maxLength: 6 }).map((a) => a.join(' ')),
  );

/** A 100 KB message: a long paste, or a stuck client. */
export const huge = (seed: string): string => seed.repeat(Math.ceil(100_000 / Math.max(1, seed.length))).slice(0, 100_000);
