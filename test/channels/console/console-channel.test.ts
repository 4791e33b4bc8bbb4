import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleChannel } from '../../../src/channels/console/console-channel.js';
import type { InboundMessage } from '../../../src/domain/model/message.js';

function run(lines: string[], opts: { userId?: string; groupId?: string } = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString()));
  const seen: InboundMessage[] = [];
  const ch = new ConsoleChannel({
    input,
    output,
    interactive: false,
    userId: opts.userId ?? 'lisi',
    groupId: opts.groupId,
    describe: (t) => `${t.kind}:${t.id}`,
  });
  return {
    ch,
    seen,
    output: () => text,
    async go() {
      await ch.start(async (m) => {
        seen.push(m);
        return { replies: [{ text: `答:${m.text}`, choices: m.text === '选' ? [{ label: '甲', value: 'a' }, { label: '乙', value: 'b' }] : undefined }], duplicate: false };
      });
      for (const l of lines) input.write(`${l}\n`);
      input.end();
      await ch.done;
    },
  };
}

describe('console channel (scripted)', () => {
  it('turns each line into a message from the chosen user and prints the replies in order', async () => {
    const r = run(['第一句', '', '选']);
    await r.go();
    expect(r.seen.map((m) => [m.text, m.userId, m.chatType, m.chatId])).toEqual([
      ['第一句', 'lisi', 'single', 'lisi'],
      ['选', 'lisi', 'single', 'lisi'],
    ]);
    expect(new Set(r.seen.map((m) => m.id)).size).toBe(2);
    expect(r.output()).toBe('答:第一句\n答:选\n  1. 甲\n  2. 乙\n');
  });

  it('switches user and chat with slash commands', async () => {
    const r = run(['/group wrkGroup1', '群里问', '/user zhangsan', '张三问', '/private', '私聊']);
    await r.go();
    expect(r.seen.map((m) => [m.userId, m.chatId, m.chatType])).toEqual([
      ['lisi', 'wrkGroup1', 'group'],
      ['zhangsan', 'wrkGroup1', 'group'],
      ['zhangsan', 'zhangsan', 'single'],
    ]);
  });

  it('prints pushes with their recipient', async () => {
    const r = run([]);
    await r.go();
    await r.ch.push({ kind: 'chat', id: 'g1' }, { text: '通知' });
    expect(r.output()).toContain('【推送 → 群 chat:g1】\n通知');
  });
});
