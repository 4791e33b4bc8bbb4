import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.js';
import { fixedClock } from '../../src/core/clock.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import { FAILURE_REPLY, TOO_LONG_REPLY } from '../../src/core/router.js';
import { loadPlanFile } from '../../src/domain/plan/load.js';
import { FieldCipher } from '../../src/domain/security/field-crypto.js';
import { silentLogger } from '../../src/core/log.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from '../helpers/deps.js';
import { hostileText, huge, NASTY } from '../helpers/hostile.js';
import { plainLookupKeys } from '../../src/domain/privacy/lookup-key.js';

const plan = loadPlanFile(new URL('../../plans/dunji-2023.txt', import.meta.url).pathname);
const config = testConfig();
const USERS = ['lisi', 'zhangsan', 'zhaoliu', 'zhouba', 'stranger'];

async function bot() {
  const file = join(mkdtempSync(join(tmpdir(), 'humiao-robust-')), 'humiao.db');
  const cipher = new FieldCipher(randomBytes(32));
  const store = await openSqliteStore(file, { cipher });
  const clock = fixedClock(new Date('2026-11-29T02:00:00Z'));
  const app = createApp({ config, store, lookup: plainLookupKeys, plan, clock, log: silentLogger });
  let n = 0;
  const send = (userId: string, text: string, group = false, kind: InboundMessage['kind'] = 'text') => {
    clock.advance(1000);
    return app.router.dispatch({ id: `r${++n}`, channel: 'test', userId, chatId: group ? 'wrkGroup1' : userId, chatType: group ? 'group' : 'single', kind, text, receivedAt: clock.now() });
  };
  return { file, cipher, store, send };
}

const message = fc.record({
  user: fc.constantFrom(...USERS),
  group: fc.boolean(),
  kind: fc.constantFrom<InboundMessage['kind']>('text', 'text', 'text', 'button'),
  text: hostileText(300),
});

describe('the router under hostile input', () => {
  it('answers every random message clearly, never fails, and leaves the store consistent', async () => {
    const b = await bot();
    // Drafts in progress, so the form engine sees the garbage too.
    await b.send('zhouba', '新增个案：王小明，男，2013年5月出生，王庄村，父母都在外地打工');
    await b.send('zhangsan', '上报个案');
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 15 }), async (msgs) => {
        for (const m of msgs) {
          const r = await b.send(m.user, m.text, m.group, m.kind);
          expect(r.replies).not.toContainEqual(FAILURE_REPLY);
          for (const reply of r.replies) expect(typeof reply.text).toBe('string');
          if (m.text.trim() !== '' && m.user !== 'stranger') expect(r.replies.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
    expect(b.store.db.raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((await b.store.audit.verify()).ok).toBe(true);
    const cases = (await b.store.cases.list()).length;
    await b.store.close();
    const again = await openSqliteStore(b.file, { cipher: b.cipher });
    expect(await again.cases.list()).toHaveLength(cases);
    await again.close();
  });

  it.each(NASTY)('survives %j in every step of an intake without saving anything', async (nasty) => {
    const b = await bot();
    await b.send('zhouba', '新增个案');
    for (let i = 0; i < 20; i++) {
      const r = await b.send('zhouba', nasty);
      expect(r.replies).not.toContainEqual(FAILURE_REPLY);
      expect(r.replies.length).toBeGreaterThan(0);
    }
    expect(await b.store.cases.list()).toHaveLength(0);
    const s = await b.store.sessions.get('zhouba', 'zhouba');
    if (s) expect(() => JSON.stringify(s.state)).not.toThrow();
  });

  it('refuses a 100 KB message at once, in a group or in a draft, without recording it', async () => {
    const b = await bot();
    await b.send('zhouba', '新增个案');
    const before = (await b.store.sessions.get('zhouba', 'zhouba'))!.state;
    for (const seed of ['王', '一', NASTY[0]!, '流浪乞讨未成年人由谁负责']) {
      expect((await b.send('zhouba', huge(seed))).replies).toEqual([TOO_LONG_REPLY]);
      expect((await b.send('lisi', huge(seed), true)).replies).toEqual([TOO_LONG_REPLY]);
    }
    expect((await b.store.sessions.get('zhouba', 'zhouba'))!.state).toEqual(before);
    expect(b.store.db.prepare('SELECT count(*) AS n FROM inbound').get()).toEqual({ n: 1 });
  });
});
