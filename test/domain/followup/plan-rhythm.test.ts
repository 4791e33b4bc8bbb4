import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { planRhythm } from '../../../src/domain/followup/plan-rhythm.js';
import { buildJobs } from '../../../schedules/jobs.js';
import { JobRunner } from '../../../schedules/runner.js';
import { fromLocal } from '../../../src/domain/calendar/shanghai.js';
import { harness } from '../../helpers/intake-harness.js';
import { plan as dunji } from '../../helpers/intake-harness.js';
import { loadExample } from '../../helpers/example-plans.js';

/**
 * Under each plan's own frequencies: one intake (a 留守 child, whose lead units are that plan's)
 * and one overdue reminder. The case is registered on 10 March; on 1 April the bundled plan
 * (monthly) has nothing due yet, the 街道 plan (每半月) and the messy plan (每周) have a missed
 * window, and the county plan (每月) only at May's run (the 1st is a holiday, so the 7th).
 */

const PREFILL = '新增个案：王小明，男，2013年5月出生，幸福村，父母都在外地打工，由奶奶照顾';

function townConfig(leadUnit: string) {
  const text = [
    'town: 测试镇',
    'casePrefix: CS',
    'villages: [幸福村, 和平村]',
    'members:',
    `  - { userid: admin1, name: 李四, unit: ${leadUnit}, role: admin }`,
    '  - { userid: cadre1, name: 周八, unit: 村委会, role: staff, village: 幸福村 }',
    'groups:',
    '  - { chatid: wrkGroup1, name: 工作群, broadcast: true }',
  ].join('\n');
  return parseConfig(text, '/tmp/humiao.config.yaml');
}

const cases = [
  { name: 'dunji', plan: dunji, rule: 'monthly', overdueOn: fromLocal(2026, 5, 7, 10), notYet: fromLocal(2026, 4, 1, 9) },
  { name: 'jiedao-plan', plan: loadExample('jiedao-plan').plan, rule: 'half-monthly', overdueOn: fromLocal(2026, 4, 1, 9), notYet: fromLocal(2026, 3, 16, 9) },
  { name: 'county-plan', plan: loadExample('county-plan').plan, rule: 'monthly', overdueOn: fromLocal(2026, 5, 7, 10), notYet: fromLocal(2026, 4, 1, 9) },
  { name: 'messy-plan', plan: loadExample('messy-plan').plan, rule: 'weekly', overdueOn: fromLocal(2026, 4, 1, 9), notYet: fromLocal(2026, 3, 15, 9) },
] as const;

describe('the plan’s own frequencies drive the follow-up', () => {
  it('takes each category’s contact rule from the plan and says where every rule came from', () => {
    const jiedao = loadExample('jiedao-plan').plan;
    const r = planRhythm(jiedao, townConfig('街道团工委').followup);
    expect(r.followup.frequency).toMatchObject({ '05': 'half-monthly', '04': 'quarterly', '01': 'monthly' });
    expect(r.followup.frequency['02']).toBeUndefined();
    expect(r.sources.find((s) => s.what.startsWith('留守'))?.from).toMatch(/实施方案第四部分1\.第2条/);
    expect(r.sources.find((s) => s.what.startsWith('有不良'))?.from).toMatch(/默认每月/);
    // 「每月25日前…报送」: the dispatch goes out three days before, the reminder on the day.
    expect(r.followup.screening.day).toBe(22);
    // A config value stands where the plan is silent.
    const cfg = townConfig('街道团工委').followup;
    const withConfig = planRhythm(jiedao, { ...cfg, frequency: { '02': 'quarterly', '05': 'monthly' } });
    expect(withConfig.followup.frequency).toMatchObject({ '02': 'quarterly', '05': 'half-monthly' });
    // The bundled plan changes nothing: 闲散 monthly from the plan, the rest monthly by default.
    const d = planRhythm(dunji, cfg);
    expect(d.followup.frequency).toEqual({ '01': 'monthly' });
    expect(d.followup.screening).toEqual(cfg.screening);
  });

  for (const t of cases) {
    it(`${t.name}: an intake uses the plan’s lead units, and the overdue reminder follows its ${t.rule} rule`, async () => {
      const lead05 = t.plan.categories.find((c) => c.code === '05')!;
      const base = townConfig(lead05.leadUnits[0]!);
      const config = { ...base, followup: planRhythm(t.plan, base.followup).followup };
      const h = await harness({ plan: t.plan, config, start: fromLocal(2026, 3, 10, 10) });
      expect(await h.say('cadre1', PREFILL)).toContain('已从您的消息识别');
      let last = '';
      for (const a of ['小学三年级', '张桂兰 13812345678', '父亲江苏苏州，母亲浙江杭州', '修改 帮扶责任人', '李四']) last = await h.say('cadre1', a);
      expect(last).toContain('请核对');
      expect(await h.say('cadre1', '确认')).toContain('已保存个案 CS-2026-0001');
      const c = (await h.store.cases.getByCode('CS-2026-0001'))!;
      expect(c.categories).toEqual([{ code: '05', leadUnits: lead05.leadUnits }]);

      const runner = new JobRunner(h.deps, buildJobs(h.deps));
      const reminders = async () => (await h.store.outbox.list(1000)).filter((o) => o.target.kind === 'user' && o.target.id === 'admin1' && o.reply.text.includes('【逾期提醒】'));
      await runner.runByName('overdue', t.notYet);
      expect(await reminders(), `${t.name} not yet overdue`).toHaveLength(0);
      await runner.runByName('overdue', t.overdueOn);
      const sent = await reminders();
      expect(sent, `${t.name} overdue`).toHaveLength(1);
      expect(sent[0]!.reply.text).toContain('CS-2026-0001');
      expect(sent[0]!.reply.text).not.toContain('王小明');
    });
  }
});
