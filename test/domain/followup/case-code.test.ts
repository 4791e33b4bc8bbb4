import { describe, expect, it } from 'vitest';
import { findCaseCode, parseContactParts } from '../../../src/domain/followup/contact-message.js';
import { parseViewCommand } from '../../../handlers/case-view.js';

const now = new Date('2026-12-01T02:00:00Z');

describe('case codes of any serial width', () => {
  it('reads a county-size five-digit serial in 走访 text', () => {
    expect(parseContactParts('DJ-2026-39402 昨天 电话 情况稳定', now).code).toBe('DJ-2026-39402');
    expect(findCaseCode('dj-2026-123456 上门')?.code).toBe('DJ-2026-123456');
  });

  it('pads short serials and drops extra leading zeros, so every spelling finds the stored code', () => {
    expect(findCaseCode('dj-2026-1')?.code).toBe('DJ-2026-0001');
    expect(findCaseCode('DJ-2026-00012')?.code).toBe('DJ-2026-0012');
    expect(findCaseCode('DJ-2026-039402')?.code).toBe('DJ-2026-39402');
    expect(findCaseCode('DJ-2026-0000')?.code).toBe('DJ-2026-0000');
  });

  it('keeps a date typed after the code out of the serial', () => {
    const p = parseContactParts('DJ-2026-10001 2026-11-30 上门', now);
    expect(p.code).toBe('DJ-2026-10001');
    expect(p.date).toBe('2026-11-30');
  });

  it('reads five-digit serials in 查看', () => {
    expect(parseViewCommand('查看 DJ-2026-39402')?.code).toBe('DJ-2026-39402');
    expect(parseViewCommand('查看个案 dj-2026-10000 完整 核实')).toEqual({ code: 'DJ-2026-10000', full: true, reason: '核实' });
  });
});
