import { createServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { DispatchResult } from '../../../src/core/channel.js';
import { LISI, plain, telegramHarness } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

it('webhook mode: registers the webhook with its secret, answers posted updates and refuses posts without the secret', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/telegram`;
  const results: DispatchResult[] = [];
  const { server } = await telegramHarness(
    cleanups,
    (sink) => async (m) => {
      const r = await sink(m);
      results.push(r);
      return r;
    },
    { url, host: '127.0.0.1', port, secretToken: 'hm-secret_1' },
  );
  expect(server.webhook).toEqual({ url, secret: 'hm-secret_1' });
  expect(server.sent('getUpdates')).toEqual([]);

  expect(await server.postWebhook(server.text(LISI, '帮助'))).toBe(200);
  const answer = await server.waitCall((c) => c.method === 'sendMessage' && String(c.body.chat_id) === String(LISI.id));
  expect(plain(answer.body.text)).toMatch(/^我是墩集镇护苗助手，可以/);

  expect(await server.postWebhook(server.text(LISI, '帮助'), 'forged')).toBe(401);
  expect(results).toHaveLength(1);
});
