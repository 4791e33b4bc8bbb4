import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import type { AppDeps } from '../src/core/context.js';
import type { Member } from '../src/config/schema.js';
import { createApp } from '../src/app.js';
import type { InboundMessage } from '../src/domain/model/message.js';
import { FieldCipher } from '../src/domain/security/field-crypto.js';
import { ageReviewJob } from '../schedules/jobs/age-review.js';
import { overdueJob } from '../schedules/jobs/overdue.js';
import { dueSoonJob } from '../schedules/jobs/due-soon.js';
import type { JobDef } from '../schedules/job.js';
import { fromLocal } from '../src/domain/calendar/shanghai.js';
import { fixedClock } from '../src/core/clock.js';
import { INSTALL_MARK, JobRunner } from '../schedules/runner.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { rng } from './datagen.js';
import { stats, type Stats } from './report.js';

export interface Responsiveness {
  /** 「我的个案」 for random mentors, one at a time, through the router (inbound claim committed). */
  myCases: Stats;
  myCasesRows: number;
  /** 「逾期」 by an admin (the whole county's overdue list) and by a lead-unit member. */
  overdueAdmin: Stats;
  overdueUnit: Stats;
  /** Each monthly job over the whole store, run in chunks as the scheduler runs it, under interactive load. */
  jobs: JobUnderLoad[];
  wrongReplies: number;
}

export interface JobUnderLoad {
  name: string;
  summary: string;
  wallMs: number;
  loopDelay: { p50: number; p99: number; max: number };
  /** Another user's 「我的个案」 10 ms after the previous reply, during the job: when it was due → its reply. */
  interactive: Stats;
}

/**
 * What users feel while the county's data is large and a job runs: the per-mentor and per-unit
 * reads on their own, then the event loop's delay (perf_hooks.monitorEventLoopDelay) and other
 * users' waits while each monthly job (age review, overdue, due-soon) works through every open case.
 */
export async function responsiveness(base: AppDeps, dir: string, dataKey: Buffer, mentors: number, at: Date): Promise<Responsiveness> {
  const store = await openSqliteStore(join(dir, 'humiao.db'), { cipher: new FieldCipher(dataKey) });
  try {
    const units = [...new Set(base.plan.categories.flatMap((c) => c.leadUnits))];
    const extra: Member[] = Array.from({ length: mentors }, (_, i) => ({ userid: `m${i}`, name: `帮扶干部${i}`, unit: units[i % units.length]!, role: 'staff' }) as Member);
    const config = { ...base.config, members: [...base.config.members, ...extra] };
    const deps: AppDeps = { ...base, config, store };
    const { router } = createApp(deps);
    const r = rng(9);
    let seq = 0;
    let wrong = 0;
    const ask = async (userId: string, text: string, expect: RegExp): Promise<number> => {
      const msg: InboundMessage = { id: `bench-${seq++}`, channel: 'bench', userId, chatId: userId, chatType: 'single', kind: 'text', text, receivedAt: at };
      const t = performance.now();
      const res = await store.transaction(() => router.dispatch(msg));
      const took = performance.now() - t;
      if (!expect.test(res.replies.map((x) => x.text).join('\n'))) wrong++;
      return took;
    };
    const mine = /^您帮扶的在册个案 \d+ 件|您目前没有作为帮扶责任人的在册个案/;
    const times = async (n: number, one: () => Promise<number>) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(await one());
      return out;
    };
    const myCasesTimes = await times(200, () => ask(`m${Math.floor(r() * mentors)}`, '我的个案', mine));
    const myCasesRows = (await store.cases.openSummaries({ mentorUserId: 'm0' })).length;
    const admin = config.members.find((m) => m.role === 'admin')!.userid;
    const overdue = /逾期未联系个案 \d+ 件|没有逾期未联系的/;
    const overdueAdmin = await times(5, () => ask(admin, '逾期', overdue));
    const unitMember = extra.find((m) => m.unit === base.plan.categories[0]!.leadUnits[0])!.userid;
    const overdueUnit = await times(5, () => ask(unitMember, '逾期', overdue));

    // Each job as the scheduler runs it: chunks, the event loop turning between them. The
    // overdue run of the 1st was already made by the fan-out measure; its record and rows are
    // removed so this run does the whole work again instead of finding every message deduped.
    await store.jobRuns.record({ ...INSTALL_MARK, status: 'done', trigger: 'cron', asOf: new Date(0), ranAt: new Date(0), summary: 'bench' });
    const db = (store as unknown as { db: { prepare(sql: string): { run(...a: unknown[]): unknown } } }).db;
    /** `job` null: the interactive load alone for a second, the floor the jobs' figures compare with. */
    const underLoad = async (job: JobDef | null, jobAt: Date): Promise<JobUnderLoad> => {
      if (job) {
        db.prepare('DELETE FROM job_runs WHERE job = ?').run(job.name);
        db.prepare('DELETE FROM outbox WHERE reason = ?').run(`job.${job.name}`);
      }
      const runner = job && new JobRunner({ ...deps, clock: fixedClock(jobAt) }, [job]);
      const h = monitorEventLoopDelay({ resolution: 1 });
      const waits: number[] = [];
      let stop = false;
      const t0 = performance.now();
      // One user at a time, 10 ms after the last reply: what one message waits behind the job,
      // not a queue that grows because a loaded box cannot serve 100 a second beside it.
      const load = (async () => {
        while (!stop) {
          const due = performance.now() + 10;
          await new Promise((res) => setTimeout(res, 10));
          await ask(`m${Math.floor(r() * mentors)}`, '我的个案', mine);
          waits.push(performance.now() - due);
        }
      })();
      h.enable();
      const [outcome] = runner ? await runner.tickInChunks(() => new Promise((res) => setImmediate(res)), jobAt) : (await new Promise((res) => setTimeout(res, 1_000)), []);
      const wallMs = performance.now() - t0;
      // A little interactive load after the job too, so the tail is not cut at the job's end.
      await new Promise((res) => setTimeout(res, 100));
      h.disable();
      stop = true;
      await load;
      return {
        name: job ? job.title.split('（')[0]! : '（无任务，仅交互负载：下限）',
        summary: outcome?.run.summary ?? '—',
        wallMs,
        loopDelay: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 },
        interactive: stats(waits),
      };
    };
    const jobs = [
      await underLoad(null, at),
      await underLoad(ageReviewJob(config), at),
      await underLoad(overdueJob(config), at),
      // Day 20 of the same month is a Sunday, so the reminder goes out on Monday the 21st.
      await underLoad(dueSoonJob(config), fromLocal(2026, 12, 21, 10)),
    ];
    return {
      myCases: stats(myCasesTimes),
      myCasesRows,
      overdueAdmin: stats(overdueAdmin),
      overdueUnit: stats(overdueUnit),
      jobs,
      wrongReplies: wrong,
    };
  } finally {
    await store.close();
  }
}
