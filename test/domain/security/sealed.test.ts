import { describe, expect, it } from 'vitest';
import { auditedExport } from '../../../src/domain/security/audited-export.js';
import { isSealedCase, isSealedDetails, redactJustice, withoutJustice } from '../../../src/domain/security/sealed.js';
import { openSqliteStore } from '../../../store/sqlite/sqlite-store.js';
import { sampleCase } from '../../helpers/case-fixture.js';

const exempt = { behaviors: ['BL02', 'YZ00'], disposition: '家长管教', justiceInvolvement: '无' };

describe('sealing follows the 2022 rules', () => {
  it('an age-exempt offence seals the case, as a police measure or justice involvement does', () => {
    expect(isSealedDetails(exempt)).toBe(true);
    expect(isSealedDetails({ behaviors: ['BL02'], disposition: '家长管教', justiceInvolvement: '无' })).toBe(false);
    expect(isSealedDetails({ disposition: '专门矫治教育' })).toBe(true);
    expect(isSealedDetails({ justiceInvolvement: '有' })).toBe(true);
    // A row stored before the rule, flagged 0, is sealed all the same.
    expect(isSealedCase({ sealed: false, details: exempt })).toBe(true);
  });

  it('redacts the offence for the unauthorised and removes it for schools', () => {
    expect(redactJustice(exempt).behaviors).toEqual(['BL02', '该记录已依法封存']);
    expect(withoutJustice(exempt)).toEqual({ behaviors: ['BL02'] });
  });

  it('cases export leaves it out', async () => {
    const store = await openSqliteStore(':memory:');
    await store.cases.insert({ ...sampleCase, details: exempt });
    const [row] = await auditedExport(store, 'os:test', new Date('2026-11-29T02:00:00Z'), 'json');
    expect(String(row!.details)).not.toContain('YZ00');
    expect(String(row!.details)).toContain('该记录已依法封存');
  });
});
