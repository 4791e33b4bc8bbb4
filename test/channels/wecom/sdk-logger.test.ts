import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sdkLogger } from '../../../src/channels/wecom/sdk-logger.js';

function capture(level: string) {
  const lines: string[] = [];
  const log = pino({ level }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
  return { lines, sdk: sdkLogger(log) };
}

describe('sdkLogger', () => {
  it('never passes frame bodies or extra arguments through', () => {
    const { lines, sdk } = capture('debug');
    sdk.debug('[server -> plugin] cmd=aibot_msg_callback, reqId=r1, body={"text":{"content":"孩子姓名"}}');
    sdk.warn('Received unknown frame (ignored):', '{"body":{"content":"孩子姓名"}}');
    sdk.error('Authentication failed: errcode=40001, errmsg=invalid');
    const all = lines.join('');
    expect(all).not.toContain('孩子姓名');
    expect(all).toContain('cmd=aibot_msg_callback, reqId=r1');
    expect(all).toContain('errcode=40001');
  });

  it('keeps the SDK quiet unless debug logging is on: the channel logs what matters', () => {
    const { lines, sdk } = capture('info');
    sdk.error('Authentication failed: errcode=40001');
    sdk.warn('WebSocket connection closed');
    expect(lines).toEqual([]);
  });
});
