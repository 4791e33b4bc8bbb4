import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWecomServer } from '../test/channels/wecom/fake-wecom-server.js';
import type { PlanMatrix } from '../src/domain/plan/types.js';
import { FieldCipher } from '../src/domain/security/field-crypto.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { generate, type Scale } from './datagen.js';
import { dropTown, loadIntoPostgres, type PgTarget } from './postgres-target.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { INSTALL_MARK } from '../schedules/runner.js';

export interface CountyRss {
  towns: number;
  casesPerTown: number;
  /** Spawn to the `ready` log line. */
  readyMs: number;
  rssAtReadyMb: number;
  /** From `ready` until every town's start-up catch-up had logged a run for each of its jobs. */
  catchUpMs: number;
  /** False when the catch-up was still logging runs when the bench stopped waiting. */
  catchUpDone: boolean;
  /** Runs logged by the catch-up: done, and skipped (stale, or a period before the installation). */
  jobRuns: { done: number; skipped: number };
  /** A few seconds after the catch-up. */
  rssAfterMb: number;
  /** VmHWM at the end: the most the process ever held resident. */
  peakMb: number;
  /** The largest VmRSS of the samples (every 100 ms), for comparison with the kernel's peak. */
  sampledPeakMb: number;
  errors: string[];
  /** Loading the towns' schemas (not a measure). */
  loadMs: number;
}

const kb = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;

/**
 * The county process as deployed on PostgreSQL: `npm start` (compiled) with HUMIAO_COUNTY_CONFIG
 * listing `towns` towns and DATABASE_URL, one loopback WeCom server per town's bot. Each town
 * holds the same generated data (seed 42, `scale`), copied by migrate-store into a schema of its
 * own; the clock is 2026-12-01 10:00, so every town's start-up catch-up runs the 1st's jobs over
 * its data. RSS is read from /proc at `ready`, and again once the catch-up has finished; VmHWM
 * is the peak. The schemas, leases and audit heads are removed afterwards.
 */
export async function countyRss(opts: {
  target: PgTarget;
  plan: PlanMatrix;
  villages: string[];
  configPath: string;
  dataKey: Buffer;
  towns: number;
  scale: Scale;
  at: Date;
  settleMs: number;
  /** How many jobs each town runs (schedules/jobs.ts): its catch-up logs one line for each. */
  jobsPerTown: number;
  timeoutMs: number;
  /** The town's groups and people, who wrote to the bot before: its pushes to them are delivered. */
  reachable: string[];
}): Promise<CountyRss> {
  const dir = mkdtempSync(join(tmpdir(), 'humiao-bench-county-'));
  const ids = Array.from({ length: opts.towns }, (_, k) => `bc_${process.pid}_${k}`);
  const servers: FakeWecomServer[] = [];
  try {
    const cipher = new FieldCipher(opts.dataKey);
    const file = join(dir, 'humiao.db');
    const src = await openSqliteStore(file, { cipher });
    const mentors = Array.from({ length: Math.max(1, Math.round(opts.scale.cases / 50)) }, (_, i) => `m${i}`);
    await generate(src, opts.plan, opts.villages, mentors, opts.scale, opts.at);
    await src.close();
    const t0 = performance.now();
    for (const id of ids) {
      await loadIntoPostgres(opts.target, file, id, cipher);
      // Installed long ago, as a county that has been running: the start-up catch-up runs each
      // job's latest period over the town's data (its heaviest routine work), instead of
      // recording them as before the installation.
      const store = await openPostgresStore(opts.target.url, { town: id, cipher });
      try {
        await store.jobRuns.record({ ...INSTALL_MARK, status: 'done', trigger: 'cron', asOf: new Date(0), ranAt: new Date(0), summary: 'bench' });
      } finally {
        await store.close();
      }
    }
    const loadMs = performance.now() - t0;

    const example = readFileSync(opts.configPath, 'utf8');
    const env: Record<string, string | undefined> = {
      ...process.env,
      HUMIAO_CONFIG: undefined,
      HUMIAO_DATA_DIR: dir,
      HUMIAO_COUNTY_CONFIG: join(dir, 'county.yaml'),
      DATABASE_URL: opts.target.url,
      HUMIAO_DATA_KEY: opts.dataKey.toString('base64'),
      HUMIAO_CLOCK: opts.at.toISOString(),
      WECOM_BOT_ID: undefined,
      WECOM_BOT_SECRET: undefined,
      TELEGRAM_BOT_TOKEN: undefined,
      LOG_LEVEL: 'info',
    };
    for (const [k, id] of ids.entries()) {
      // Each town its own name and case prefix (CA, CB, …), as a county config requires.
      const prefix = `C${String.fromCharCode(65 + (k % 26))}${k >= 26 ? String.fromCharCode(65 + Math.floor(k / 26)) : ''}`;
      writeFileSync(join(dir, `${id}.yaml`), `id: ${id}\n${example.replace('town: 墩集镇', `town: 基准${k + 1}镇`).replace(/^casePrefix: DJ/m, `casePrefix: ${prefix}`)}`);
      const server = await FakeWecomServer.start({ botId: `bot${k}`, secret: `s${k}`, keepFrames: false, reachable: [...opts.reachable, ...mentors] });
      servers.push(server);
      const ID = id.toUpperCase();
      env[`WECOM_BOT_ID_${ID}`] = `bot${k}`;
      env[`WECOM_BOT_SECRET_${ID}`] = `s${k}`;
      env[`WECOM_WS_URL_${ID}`] = server.url;
    }
    writeFileSync(join(dir, 'county.yaml'), `county: 基准县\ntowns: [${ids.map((id) => `${id}.yaml`).join(', ')}]\n`);

    const started = performance.now();
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, ['scripts/run.mjs', 'src/main.js'], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    let buf = '';
    let readyAt = 0;
    let lastRunAt = 0;
    const jobRuns = { done: 0, skipped: 0 };
    const ranIn = new Map<string, number>();
    const errors: string[] = [];
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let rec: { msg?: string; level?: number; town?: string; status?: string } = {};
        try {
          rec = JSON.parse(line) as typeof rec;
        } catch {
          if (line.trim()) errors.push(line.slice(0, 200));
          continue;
        }
        if (rec.msg === 'ready') readyAt = performance.now();
        if (rec.msg === 'job ran' || rec.msg?.startsWith('period before this installation')) {
          if (rec.status === 'done') jobRuns.done++;
          else jobRuns.skipped++;
          lastRunAt = performance.now();
          if (rec.town) ranIn.set(rec.town, (ranIn.get(rec.town) ?? 0) + 1);
        }
        // Pushes to people who never wrote to this loopback platform are given up and logged as
        // warnings, as WeCom would refuse them; an error is the bench's business.
        if ((rec.level ?? 0) >= 50 && errors.length < 5) errors.push(`${rec.msg ?? ''} ${line.slice(0, 200)}`);
      }
    });
    let sampledPeak = 0;
    const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const sampler = setInterval(() => {
      try {
        sampledPeak = Math.max(sampledPeak, kb(status(), 'VmRSS'));
      } catch {
        /* exited */
      }
    }, 100);
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
    try {
      const deadline = started + opts.timeoutMs;
      while (!readyAt) {
        if (child.exitCode !== null) throw new Error(`county process exited (${child.exitCode}) before ready: ${errors.join('; ').slice(0, 500)}`);
        if (performance.now() > deadline) throw new Error('county process not ready in time');
        await sleep(20);
      }
      const readyMs = readyAt - started;
      const rssAtReadyMb = kb(status(), 'VmRSS');
      // Done when every town has logged a line for each of its jobs: a county-size run can go on
      // for many seconds without a line, so quiet alone is no sign that the catch-up is over.
      let catchUpDone = false;
      while (performance.now() < deadline && child.exitCode === null) {
        if (ids.every((id) => (ranIn.get(id) ?? 0) >= opts.jobsPerTown)) {
          catchUpDone = true;
          break;
        }
        await sleep(100);
      }
      const catchUpMs = (catchUpDone ? lastRunAt : performance.now()) - readyAt;
      await sleep(opts.settleMs);
      const st = status();
      return {
        towns: ids.length,
        casesPerTown: opts.scale.cases,
        readyMs,
        rssAtReadyMb,
        catchUpMs,
        catchUpDone,
        jobRuns,
        rssAfterMb: kb(st, 'VmRSS'),
        peakMb: kb(st, 'VmHWM'),
        sampledPeakMb: Math.max(sampledPeak, kb(st, 'VmRSS')),
        errors,
        loadMs,
      };
    } finally {
      clearInterval(sampler);
      // SIGTERM: the clean shutdown, which gives the towns' leases back.
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  } finally {
    for (const s of servers) await s.close().catch(() => {});
    for (const id of ids) {
      try {
        await dropTown(opts.target, id);
      } catch (e) {
        process.stderr.write(`bench: could not drop PostgreSQL schema of town ${id}: ${(e as Error).message}\n`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
