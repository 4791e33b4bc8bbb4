import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../../src/domain/plan/render.js';
import { EXAMPLES, loadExample } from '../../helpers/example-plans.js';

/**
 * Three plans laid out unlike the bundled one (a 街道, a county, a messy web paste), each read
 * against what its author, who never saw the parser, says a correct reader must get out of it.
 */

/** Quotes in the expect files are matched with line breaks and spaces removed. */
const flat = (s: string) => s.replace(/[\s\u3000]+/g, '');

for (const name of EXAMPLES) {
  describe(`${name}: the parse matches its expect file`, () => {
    const { plan, expected } = loadExample(name);

    it('has the plan’s own title and overall lead, and no problems', () => {
      expect(plan.title).toBe(expected.title);
      if (expected.notTitle) expect(plan.title).not.toBe(expected.notTitle);
      expect(plan.overallLead.unit).toBe(expected.overallLead);
      expect(hasErrors(plan), JSON.stringify(plan.problems)).toBe(false);
    });

    it('finds the categories in plan order', () => {
      expect(plan.categories.map((c) => c.name)).toEqual(expected.categories.map((c) => c.name));
    });

    expected.categories.forEach((e, i) => {
      it(`reads 「${e.name}」: definition, ages, leads, responsible units, tasks and their units, contact rule`, () => {
        const c = plan.categories[i]!;
        if (e.heading) expect(c.heading).toBe(e.heading);
        if (e.definition === null) expect(c.definition).toBe('');
        else expect(flat(c.definition)).toContain(flat(e.definition));
        expect(c.ages?.min ?? null).toBe(e.ages.min);
        expect(c.ages?.max ?? null).toBe(e.ages.max);
        expect(c.ages?.maxInclusive ?? null).toBe(e.ages.maxInclusive);
        expect(c.leadUnits).toEqual(e.leads);
        expect(c.responsibleUnits).toEqual(e.responsible);
        expect(c.tasks).toHaveLength(e.tasks);
        for (const [no, units] of Object.entries(e.taskUnits)) expect(c.tasks[Number(no) - 1]!.units, `task ${no}`).toEqual(units);
        if (e.contact === null) expect(c.contact).toBeUndefined();
        else {
          expect(c.contact?.period).toBe(e.contact.every);
          expect(c.contact?.times).toBe(e.contact.times ?? 1);
        }
      });
    });

    it('finds every frequency the plan states, with its period, count and day', () => {
      for (const f of expected.frequencies) {
        const found = plan.frequencies.filter((p) => flat(p.text).includes(flat(f.quote)) && p.period === f.every);
        expect(found, `${f.every} 「${f.quote}」`).not.toHaveLength(0);
        const hit = found[0]!;
        expect(hit.times, f.quote).toBe(f.times ?? 1);
        if (f.day !== undefined) expect(hit.day, f.quote).toBe(f.day);
        if (f.to !== undefined) expect(hit.to, f.quote).toBe(f.to);
        for (const u of (f.by ?? []).filter((u) => plan.units.includes(u))) {
          expect([...(hit.byUnits ?? []), ...(hit.by ? [hit.by] : [])], `${f.quote} by ${u}`).toContain(u);
        }
      }
    });

    it('names only units the plan has', () => {
      const units = new Set(plan.units);
      for (const c of plan.categories) {
        for (const u of [...c.leadUnits, ...c.responsibleUnits, ...c.tasks.flatMap((t) => t.units)]) expect(units.has(u), u).toBe(true);
      }
      if (!/镇/.test(expected.title)) expect(plan.units.filter((u) => u.startsWith('镇'))).toEqual([]);
    });
  });
}
