import { caseStatus, eachOpenSummary, type CaseStatus } from '../../src/domain/followup/case-status.js';
import { localDateKey } from '../../src/domain/calendar/shanghai.js';
import type { JobContext } from '../job.js';

/**
 * A chunk of a county-wide job ends after this many cases read, or this many case lines
 * written into messages: a line decrypts a name and a message is an outbox row, so writing
 * costs far more per case than reading (see age-review.ts for what larger chunks measured).
 */
const CHUNK_CASES = 250;
const CHUNK_LINES = 100;
const REUSED_LINE_COST = 1 / 20;

/**
 * The open cases with no contact from `notContactedSince` to the run's day, with their status,
 * those `keep` accepts; a `yield` every CHUNK_CASES cases read (see JobDef.run).
 */
export async function* statusesInChunks(ctx: JobContext, notContactedSince: string, keep: (s: CaseStatus) => boolean): AsyncGenerator<void, CaseStatus[], void> {
  const out: CaseStatus[] = [];
  let read = 0;
  // Pages as large as a chunk: a page's query is one stretch the loop cannot turn in.
  for await (const c of eachOpenSummary(ctx.store, { notContactedSince, asOfDay: localDateKey(ctx.at) }, CHUNK_CASES)) {
    if (++read % CHUNK_CASES === 0) yield;
    const s = await caseStatus(ctx.store, ctx.config.followup, ctx.at, c);
    if (keep(s)) out.push(s);
  }
  return out;
}

/**
 * For each recipient's list, renders a line per case (`line` decrypts a name) and then calls
 * `send` with them, with a `yield` after every CHUNK_LINES lines rendered — also in the middle
 * of one recipient's list: a lead unit's member can be sent thousands of cases in one message.
 * A case's line is rendered once however many recipients it goes to: every member of a lead unit
 * gets the unit's cases, and rendering (and decrypting) them again per member was most of a
 * county's overdue run and most of its garbage. With `limit`, only a list's first `limit` cases
 * get a line (`send` still gets the whole list, to say how many more there are).
 */
export async function* sendInChunks<K>(
  lists: Iterable<[K, CaseStatus[]]>,
  line: (s: CaseStatus) => string,
  send: (to: K, list: CaseStatus[], lines: string[]) => Promise<void>,
  limit = Infinity,
): AsyncGenerator<void, void, void> {
  // Work since the last yield, in rendered lines: a line already rendered costs a twentieth of
  // one to reuse, and a message costs its joining and encryption, about as much per line.
  let since = 0;
  const rendered = new Map<CaseStatus, string>();
  for (const [to, list] of lists) {
    const lines: string[] = [];
    for (const s of list.length > limit ? list.slice(0, limit) : list) {
      const known = rendered.get(s);
      if (known !== undefined) {
        lines.push(known);
        since += REUSED_LINE_COST;
      } else {
        const text = line(s);
        rendered.set(s, text);
        lines.push(text);
        since += 1;
      }
      if (since >= CHUNK_LINES) {
        since = 0;
        yield;
      }
    }
    await send(to, list, lines);
    since += 1 + lines.length * REUSED_LINE_COST;
    if (since >= CHUNK_LINES) {
      since = 0;
      yield;
    }
  }
}
