import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intakeHandler } from '../../handlers/intake.js';
import type { AppDeps, Handler } from '../../src/core/context.js';
import { unsupportedHandler } from '../../handlers/unsupported.js';
import { fixedClock } from '../../src/core/clock.js';
import type { Reply } from '../../src/domain/model/message.js';
import { Router } from '../../src/core/router.js';
import { idCheckChar } from '../../src/domain/parse-zh/id-number.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import type { PlanMatrix } from '../../src/domain/plan/types.js';
import type { LoadedConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/log.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from './deps.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

export const plan = loadPlanFile(new URL('../../plans/dunji-2023.txt', import.meta.url).pathname);

/** Stands in for Q&A at the end of the list: proves a message was passed on, not swallowed. */
const passThrough: Handler = { name: 'qa-stand-in', handle: () => [{ text: '[Q&A]' }] };

export const GROUP = { id: 'wrkGroup1', type: 'group' as const };

export const makeId = (first17: string) => first17 + idCheckChar(first17);

export interface Harness {
  store: SqliteStore;
  clock: ReturnType<typeof fixedClock>;
  deps: AppDeps;
  /** Sends one message; returns the replies' text joined. */
  say(userId: string, text: string, chat?: { id: string; type: 'single' | 'group' }): Promise<string>;
  replies(userId: string, text: string, chat?: { id: string; type: 'single' | 'group' }): Promise<Reply[]>;
  /** Every text the bot sent into a group, by reply or outbox. */
  groupTexts(): Promise<string[]>;
  turns(userId: string): number;
  reopen(): Promise<void>;
}

export async function harness(opts: { file?: boolean; start?: Date; plan?: PlanMatrix; config?: LoadedConfig } = {}): Promise<Harness> {
  const file = opts.file ? join(mkdtempSync(join(tmpdir(), 'humiao-intake-')), 'humiao.db') : ':memory:';
  const clock = fixedClock(opts.start ?? new Date('2026-03-10T02:00:00Z'));
  const config = opts.config ?? testConfig();
  const townPlan = opts.plan ?? plan;
  let store = await openSqliteStore(file);
  let deps: AppDeps = { config, store, lookup: plainLookupKeys, plan: townPlan, clock, log: silentLogger };
  let router = new Router(deps, [unsupportedHandler, intakeHandler, passThrough]);
  let n = 0;
  const groupReplies: string[] = [];
  const turnCount = new Map<string, number>();
  const replies = async (userId: string, text: string, chat?: { id: string; type: 'single' | 'group' }) => {
    turnCount.set(userId, (turnCount.get(userId) ?? 0) + 1);
    const r = await router.dispatch({
      id: `m${++n}`,
      channel: 'test',
      userId,
      chatId: chat?.id ?? userId,
      chatType: chat?.type ?? 'single',
      kind: 'text',
      text,
      receivedAt: clock.now(),
    });
    if (chat?.type === 'group') groupReplies.push(...r.replies.map((x) => x.text));
    return r.replies;
  };
  const h: Harness = {
    get store() {
      return store;
    },
    clock,
    get deps() {
      return deps;
    },
    replies,
    say: async (u, t, c) => (await replies(u, t, c)).map((r) => r.text + (r.choices ? '\n' + r.choices.map((x, i) => `${i + 1}. ${x.label}`).join('\n') : '')).join('\n'),
    groupTexts: async () => [
      ...groupReplies,
      ...(await store.outbox.list(1000)).filter((o) => o.target.kind === 'chat').map((o) => o.reply.text),
    ],
    turns: (u) => turnCount.get(u) ?? 0,
    async reopen() {
      if (file === ':memory:') throw new Error('reopen needs a file store');
      await store.close();
      store = await openSqliteStore(file);
      deps = { config, store, lookup: plainLookupKeys, plan: townPlan, clock, log: silentLogger };
      router = new Router(deps, [unsupportedHandler, intakeHandler, passThrough]);
    },
  } as Harness;
  return h;
}
