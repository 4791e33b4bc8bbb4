import { describe, expect, it } from 'vitest';
import { groupNoticeText } from '../../../src/domain/intake/submit.js';
import type { CategoryCode } from '../../../src/domain/plan/types.js';

const ALL: CategoryCode[] = ['01', '02', '03', '04', '05'];
const off = { groupNotice: { leftBehindVillage: false } };
const on = { groupNotice: { leftBehindVillage: true } };

describe('the new-case notice for groups', () => {
  it.each(ALL)('names only the code and the mentor for category %s', (cat) => {
    const text = groupNoticeText(off, 'DJ-2026-0003', '张三', [cat], '项沟村');
    expect(text).toBe('新增个案 DJ-2026-0003，帮扶责任人：张三。详情请帮扶责任人私聊机器人查看。');
  });

  it('shows the village only for a case that is 留守 and nothing else, and only when the town switched it on', () => {
    expect(groupNoticeText(on, 'DJ-2026-0003', '张三', ['05'], '项沟村')).toContain('项沟村');
    expect(groupNoticeText(off, 'DJ-2026-0003', '张三', ['05'], '项沟村')).not.toContain('项沟村');
    for (const c of ['01', '02', '03', '04'] as CategoryCode[]) {
      expect(groupNoticeText(on, 'DJ-2026-0003', '张三', [c], '项沟村')).not.toContain('项沟村');
      expect(groupNoticeText(on, 'DJ-2026-0003', '张三', ['05', c], '项沟村')).not.toContain('项沟村');
    }
  });
});
