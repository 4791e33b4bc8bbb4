import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, maskPhone } from '../../../src/domain/privacy/mask.js';

describe('masks', () => {
  it('keeps the surname and last character of a name', () => {
    expect(maskName('王小明')).toBe('王*明');
    expect(maskName('王明')).toBe('王*');
    expect(maskName('欧阳小明')).toBe('欧**明');
  });
  it('keeps the last 4 of an ID number', () => {
    expect(maskIdNumber('34132420130506123X')).toBe('**************123X');
  });
  it('keeps the first 3 and last 4 of a phone', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
  });
});
