import { describe, expect, it } from 'vitest';
import { JobRunner } from '../../schedules/runner.js';
import { ESCALATION_LIST_MAX, overdueJob } from '../../schedules/jobs/overdue.js';
import { dueSoonJob } from '../../schedules/jobs/due-soon.js';
import type { JobDef } from '../../schedules/job.js';
import { fromLocal } from '../../src/domain/calendar/shanghai.js';
import { testDeps } from '../helpers/deps.js';
import { sampleCase } from '../helpers/case-fixture.js';

/** 700 open cases, none ever contacted, 14 mentors: enough for several chunks of each phase. */
async function townWithCases(): Promise<Awaited<ReturnType<typeof testDeps>>> {
  const deps = await testDeps();
  await deps.store.transaction(async () => {
    for (let i = 1; i <= 700; i++) {
      await deps.store.cases.insert({ ...sampleCase, code: `DJ-2026-${String(i).padStart(4, '0')}`, dupKey: `k${i}`, idHash: null, mentorUserId: i % 50 === 0 ? null : `m${i % 14}`, createdAt: new Date('2026-03-10T02:00:00Z') });
    }
  });
  return deps;
}

async function installed(deps: Awaited<ReturnType<typeof testDeps>>, job: JobDef, at: Date): Promise<JobRunner> {
  const runner = new JobRunner(deps, [job]);
  deps.clock.set(fromLocal(2026, 4, 1, 8));
  await runner.tick();
  deps.clock.set(at);
  return runner;
}

const queued = async (deps: Awaited<ReturnType<typeof testDeps>>) =>
  (await deps.store.outbox
    .list(10_000))
    .map((o) => `${o.target.kind}:${o.target.id}\n${o.reply.text}`)
    .sort();

describe.each([
  ['overdue', overdueJob, fromLocal(2026, 12, 1, 10)],
  ['due-soon', dueSoonJob, fromLocal(2026, 11, 20, 10)],
] as const)('the %s job at town size', (_name, make, at) => {
  it('runs in chunks that give the event loop back, queuing exactly what one run in one transaction queues', async () => {
    const whole = await townWithCases();
    const [one] = await (await installed(whole, make(whole.config), at)).tick();
    const chunked = await townWithCases();
    let pauses = 0;
    const [many] = await (await installed(chunked, make(chunked.config), at)).tickInChunks(async () => void pauses++);
    expect(many!.run.summary).toBe(one!.run.summary);
    expect(pauses).toBeGreaterThan(3);
    expect(await queued(chunked)).toEqual(await queued(whole));
    expect((await queued(whole)).length).toBeGreaterThan(14);
  });

  it('after a crash between chunks runs again from the start and queues nothing twice', async () => {
    const whole = await townWithCases();
    await (await installed(whole, make(whole.config), at)).tick();
    const deps = await townWithCases();
    const runner = await installed(deps, make(deps.config), at);
    let pauses = 0;
    await expect(runner.tickInChunks(async () => {
      if (++pauses === 4) throw new Error('process died');
    })).rejects.toThrow('process died');
    await runner.tickInChunks(async () => {});
    expect(await queued(deps)).toEqual(await queued(whole));
  });
});

describe('the overdue job’s 督办 messages', () => {
  it('list at most ESCALATION_LIST_MAX cases each and count the rest, pointing to 「逾期」 for the whole list', async () => {
    const deps = await townWithCases();
    await (await installed(deps, overdueJob(deps.config), fromLocal(2026, 12, 1, 10))).tick();
    const escalations = (await deps.store.outbox.list(10_000)).filter((o) => o.reply.text.startsWith('【逾期督办】'));
    expect(escalations.length).toBeGreaterThan(0);
    for (const o of escalations) {
      const lines = o.reply.text.split('\n');
      expect(lines.filter((l) => /DJ-2026-\d{4}/.test(l))).toHaveLength(ESCALATION_LIST_MAX);
      expect(lines.at(-1)).toBe(`……另有 ${700 - ESCALATION_LIST_MAX} 件未列出（共 700 件）。请私聊我发送「逾期」查看完整清单。`);
    }
  });
});
