import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { reportRequestHandler, requestedQuarter } from '../../../handlers/report-request.js';
import { startWecom } from '../../../src/channels/wecom/start.js';
import { townChannelPorts } from '../../../src/town-runtime.js';
import { Router } from '../../../src/core/router.js';
import { testDeps } from '../../helpers/deps.js';
import { FakeWecomServer, textMsg, type Frame } from './fake-wecom-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('quarterly report as a WeCom file', () => {
  it('reads which quarter is asked for', () => {
    const now = new Date('2026-12-01T02:00:00Z');
    expect(requestedQuarter('季度报表', now)).toBe('2026Q4');
    expect(requestedQuarter('上季度统计表', now)).toBe('2026Q3');
    expect(requestedQuarter('2026Q2 季度报表', now)).toBe('2026Q2');
    expect(requestedQuarter('导出2025年第一季度报表', now)).toBe('2025Q1');
    expect(requestedQuarter('上季度报表', new Date('2027-01-05T02:00:00Z'))).toBe('2026Q4');
    expect(requestedQuarter('留守儿童谁牵头', now)).toBeUndefined();
  });

  it('an admin asks in private chat and gets the xlsx, uploaded in chunks and sent by media_id', async () => {
    const server = await FakeWecomServer.start({ botId: 'B', secret: 'S' });
    cleanups.push(() => server.close());
    const deps = await testDeps();
    const router = new Router(deps, [reportRequestHandler]);
    const { channel } = startWecom(townChannelPorts(deps), { platform: 'wecom', botId: 'B', secret: 'S', wsUrl: server.url }, { heartbeatMs: 60_000 });
    cleanups.push(() => channel.stop());
    await channel.start(async (m) => router.dispatch(m));
    const admin = deps.config.members.find((m) => m.role === 'admin')!.userid;
    const staff = deps.config.members.find((m) => m.role !== 'admin')!.userid;

    const reqId = server.deliver(textMsg({ userid: admin }, '季度报表'));
    const sent = await server.waitFrame((f: Frame) => f.cmd === 'aibot_send_msg' && f.body?.msgtype === 'file', 10_000);
    expect(sent.body).toMatchObject({ chatid: admin, file: { media_id: expect.any(String) } });
    expect(server.repliesTo(reqId).find((f) => f.body?.msgtype === 'stream')!.body!.stream.content).toMatch(/季度工作进展统计表/);
    const media = server.media.get(sent.body!.file.media_id)!;
    expect(media.filename).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(media.data as unknown as ArrayBuffer);
    expect(wb.worksheets.length).toBeGreaterThan(0);
    expect(server.refusals).toEqual([]);

    const no = server.deliver(textMsg({ userid: staff }, '季度报表'));
    const answer = await server.waitFrame((f) => f.cmd === 'aibot_respond_msg' && f.headers.req_id === no);
    expect(answer.body!.stream.content).toBe('季度统计表只发给管理员。');
  });
});
