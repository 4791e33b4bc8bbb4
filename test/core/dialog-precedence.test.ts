import { describe, expect, it } from 'vitest';
import { route } from '../../src/core/dialogs.js';

const registration = { formId: 'case-intake', keepsAgainstNew: true };
const contact = { formId: 'contact-log', keepsAgainstNew: false };

describe('which dialog a message belongs to', () => {
  it('with no dialog open, a start starts and anything else passes on', () => {
    expect(route({ starting: { formId: 'contact-log' }, control: false })).toEqual({ to: 'start' });
    expect(route({ control: false })).toEqual({ to: 'pass' });
    // 取消 with nothing open is nobody's: the other handlers answer it.
    expect(route({ control: true })).toEqual({ to: 'pass' });
  });

  it('a form command always goes to the open dialog', () => {
    expect(route({ active: contact, control: true })).toEqual({ to: 'answer' });
    expect(route({ active: registration, control: true })).toEqual({ to: 'answer' });
  });

  it('a new dialog replaces a short one, and next to a registration runs only if it needs no dialog', () => {
    expect(route({ active: contact, starting: { formId: 'close-case' }, control: false })).toEqual({ to: 'replace' });
    expect(route({ active: contact, starting: { formId: 'case-intake' }, control: false })).toEqual({ to: 'replace' });
    expect(route({ active: registration, starting: { formId: 'contact-log' }, control: false })).toEqual({ to: 'start-once' });
  });

  it('the same dialog asked for again restarts a short one and goes to an open registration', () => {
    expect(route({ active: contact, starting: { formId: 'contact-log' }, control: false })).toEqual({ to: 'replace' });
    expect(route({ active: registration, starting: { formId: 'case-intake' }, control: false })).toEqual({ to: 'answer' });
  });

  it('anything else is a one-shot command or an answer to the open question', () => {
    expect(route({ active: contact, control: false })).toEqual({ to: 'command-or-answer' });
    expect(route({ active: registration, control: false })).toEqual({ to: 'command-or-answer' });
  });
});
