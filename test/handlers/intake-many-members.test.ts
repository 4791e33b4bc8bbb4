import { describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { Router } from '../../src/core/router.js';
import { intakeHandler } from '../../handlers/intake.js';
import { MAX_LISTED_CHOICES } from '../../src/domain/intake/engine.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import { exampleConfigText, testConfig, testDeps } from '../helpers/deps.js';
import type { Reply } from '../../src/domain/model/message.js';
import { caseForm } from '../../src/domain/intake/case-form.js';
import type { FormEnv } from '../../src/domain/intake/form.js';

describe('intake in a town with many cadres', () => {
  it('offers the lead unit\'s cadres as mentor buttons instead of listing everyone, and still takes any typed name', async () => {
    const raw = parse(exampleConfigText) as { members: unknown[] };
    raw.members.push(...Array.from({ length: 40 }, (_, i) => ({ userid: `c${i}`, name: `干部${i}号`, unit: '村委会', role: 'staff' })));
    const config = testConfig(stringify(raw));
    const deps = await testDeps({ config, plan: loadPlanFile(config.planPath) });
    const router = new Router(deps, [intakeHandler]);
    let n = 0;
    const say = async (text: string): Promise<Reply[]> =>
      (await router.dispatch({ id: `m${++n}`, channel: 'test', userId: 'zhouba', chatId: 'zhouba', chatType: 'single', kind: 'text', text, receivedAt: deps.clock.now() })).replies;
    await say('新增个案：王小明，男，2013年5月出生，王庄村，父母都在外地打工，由奶奶照顾');
    for (const a of ['小学', '张桂兰 13812345678', '不详']) await say(a);
    // The mentor is the reporter unless changed at the summary.
    const [mentorQuestion] = await say('修改 帮扶责任人');
    expect(mentorQuestion!.text).toContain('帮扶责任人');
    // 留守 is led by 镇民政所: its one cadre is offered, not all 46 people on file.
    expect(mentorQuestion!.choices?.map((c) => c.label)).toEqual(['王五（镇民政所）']);
    expect(config.members.length).toBeGreaterThan(MAX_LISTED_CHOICES);
    const [summary] = await say('干部7号');
    expect(summary!.text).toContain('干部7号（村委会）');
  });

  it('suggests mentors per set of lead units, in config order, from one member list', () => {
    const raw = parse(exampleConfigText) as { members: unknown[] };
    raw.members.push(
      ...Array.from({ length: 3000 }, (_, i) => ({ userid: `c${i}`, name: `干部${i}号`, unit: '镇团委', role: 'staff' })),
      { userid: 'pol2', name: '钱九', unit: '镇派出所', role: 'staff' },
      { userid: 'jus2', name: '郑十', unit: '镇司法所', role: 'staff' },
    );
    const config = testConfig(stringify(raw));
    const env: FormEnv = { now: new Date('2026-03-10T02:00:00Z'), villages: config.villages, members: config.members, plan: loadPlanFile(config.planPath) };
    const mentor = caseForm.steps.find((s) => s.key === 'mentor')!;
    const labels = (categories: string[]) => mentor.suggest!({ categories }, env).map((o) => o.label);
    expect(labels(['05'])).toEqual(['王五（镇民政所）']);
    expect(labels(['02', '04'])).toEqual(['张三（镇派出所）', '孙七（镇司法所）', '钱九（镇派出所）', '郑十（镇司法所）']);
    expect(labels(['04', '02'])).toEqual(labels(['02', '04']));
    expect(labels(['04'])).toEqual(['孙七（镇司法所）', '郑十（镇司法所）']);
    // The schema and the summary look members up by id among all of them.
    const schema = typeof mentor.schema === 'function' ? mentor.schema(env) : mentor.schema;
    expect(schema.safeParse('c2999').success).toBe(true);
    expect(schema.safeParse('nobody').success).toBe(false);
    expect(mentor.display!('c2999', env)).toBe('干部2999号（镇团委）');
    expect(mentor.display!('nobody', env)).toBe('nobody');
  });
});
