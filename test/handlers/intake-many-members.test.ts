import { describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { Router } from '../../src/core/router.js';
import { intakeHandler } from '../../handlers/intake.js';
import { MAX_LISTED_CHOICES } from '../../src/domain/intake/engine.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import { exampleConfigText, testConfig, testDeps } from '../helpers/deps.js';
import type { Reply } from '../../src/core/message.js';

describe('intake in a town with many cadres', () => {
  it('offers the lead unit\'s cadres as mentor buttons instead of listing everyone, and still takes any typed name', () => {
    const raw = parse(exampleConfigText) as { members: unknown[] };
    raw.members.push(...Array.from({ length: 40 }, (_, i) => ({ userid: `c${i}`, name: `干部${i}号`, unit: '村委会', role: 'staff' })));
    const config = testConfig(stringify(raw));
    const deps = testDeps({ config, plan: loadPlanFile(config.planPath) });
    const router = new Router(deps, [intakeHandler]);
    let n = 0;
    const say = (text: string): Reply[] =>
      router.dispatch({ id: `m${++n}`, channel: 'test', userId: 'zhouba', chatId: 'zhouba', chatType: 'single', kind: 'text', text, receivedAt: deps.clock.now() }).replies;
    say('新增个案：王小明，男，2013年5月出生，王庄村，父母都在外地打工，由奶奶照顾');
    for (const a of ['小学', '张桂兰 13812345678', '不详', '一般']) say(a);
    const [mentorQuestion] = say('低');
    expect(mentorQuestion!.text).toContain('帮扶责任人');
    // 留守 is led by 镇民政所: its one cadre is offered, not all 46 people on file.
    expect(mentorQuestion!.choices?.map((c) => c.label)).toEqual(['王五（镇民政所）']);
    expect(config.members.length).toBeGreaterThan(MAX_LISTED_CHOICES);
    const [summary] = say('干部7号');
    expect(summary!.text).toContain('干部7号（村委会）');
  });
});
