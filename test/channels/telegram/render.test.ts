import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALLBACK_DATA_MAX_BYTES, ChoiceKeys, renderReply, toHtml, visibleLength } from '../../../src/channels/telegram/render.js';

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('toHtml', () => {
  it('escapes everything and only turns **bold** into markup', () => {
    expect(toHtml('**注意** <b>不是标签</b> & 1 < 2')).toBe('<b>注意</b> &lt;b&gt;不是标签&lt;/b&gt; &amp; 1 &lt; 2');
  });

  it('never leaves a raw < or & outside the markup it made', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const html = toHtml(s.replace(/\*/g, ''));
        expect(html).not.toMatch(/<(?!\/?b>)/);
        expect(html).not.toMatch(/&(?!(amp|lt|gt);)/);
      }),
    );
  });
});

describe('renderReply', () => {
  it('numbers the choices in the text and puts one button per choice underneath', () => {
    const r = renderReply({ text: '属于哪一类？', choices: [{ label: '闲散青少年', value: '01' }, { label: '留守儿童', value: '05' }] }, new ChoiceKeys());
    expect(r.html).toEqual(['属于哪一类？\n1. 闲散青少年\n2. 留守儿童']);
    expect(r.keyboard).toEqual({ inline_keyboard: [[{ text: '闲散青少年', callback_data: 'v:01' }], [{ text: '留守儿童', callback_data: 'v:05' }]] });
  });

  it('splits at 4096 visible characters on line boundaries, bold markers not counted', () => {
    const line = `**${'护'.repeat(98)}**`; // 98 visible characters
    const text = Array.from({ length: 50 }, () => line).join('\n');
    const r = renderReply({ text }, new ChoiceKeys());
    expect(r.html.length).toBe(2);
    for (const h of r.html) expect(h.replace(/<\/?b>/g, '').length).toBeLessThanOrEqual(4096);
    expect(visibleLength(text)).toBe(50 * 98 + 49);
  });

  it('a long option value travels as a short key that decodes back to it', () => {
    const keys = new ChoiceKeys();
    const value = '因家庭变故长期无人监护、需要民政所介入的留守儿童';
    const r = renderReply({ text: '请选择', choices: [{ label: 'x', value }] }, keys);
    const data = r.keyboard!.inline_keyboard[0]![0]! as { callback_data: string };
    expect(bytes(data.callback_data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(keys.decode(data.callback_data)).toBe(value);
    expect(new ChoiceKeys().decode(data.callback_data)).toBeUndefined(); // after a restart
  });
});
