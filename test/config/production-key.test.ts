import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { bootstrapTown } from '../../src/bootstrap.js';
import { readSettings, singleTown, type Environment } from '../../src/config/settings.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testConfig } from '../helpers/deps.js';

async function start(env: Environment) {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
  const store = await openSqliteStore(':memory:');
  await bootstrapTown(testConfig(), singleTown(readSettings(env)), log, { opened: store });
  return { lines, store };
}

describe('starting without the data key', () => {
  it('in production is a warning in the log and a private notice to each admin, once a day', async () => {
    const { lines, store } = await start({ NODE_ENV: 'production', HUMIAO_DATA_KEY: '' });
    expect(lines.some((l) => l.level === 40 && /HUMIAO_DATA_KEY not set in production/.test(l.msg))).toBe(true);
    const notices = await store.outbox.list(10);
    expect(notices.map((n) => n.target)).toEqual([{ kind: 'user', id: 'lisi' }]);
    expect(notices[0]!.reply.text).toContain('HUMIAO_DATA_KEY');
  });

  it('outside production stays an info line, with nothing sent', async () => {
    const { lines, store } = await start({ HUMIAO_DATA_KEY: '' });
    expect(lines.some((l) => l.level === 30 && /not set/.test(l.msg))).toBe(true);
    expect(lines.some((l) => l.level >= 40)).toBe(false);
    expect(await store.outbox.list(10)).toEqual([]);
  });
});
