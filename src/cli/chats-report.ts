import type { Config } from '../config/schema.js';
import type { ChatRecord } from '../domain/model/records.js';
import type { Store } from '../domain/ports/store.js';
import { resolvePushTarget, UnreachableTargetError } from '../core/push-target.js';
import { TIME_ZONE } from '../domain/calendar/shanghai.js';

const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function when(d: Date): string {
  const p = Object.fromEntries(fmt.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * `npm run humiao -- chats`: which configured groups and members the bot can reach, and which
 * chats reached it without being in the config. WeCom lets the bot push only into a chat where
 * someone already wrote to it, so this tells the admin whom to ask to say hello to the bot once,
 * and which group chatids to copy into `humiao.config.yaml`. Shows ids and cadres' names only.
 */
export async function renderChatsReport(config: Pick<Config, 'members' | 'groups'>, store: Pick<Store, 'chats'> & Partial<Pick<Store, 'outbox'>>): Promise<string> {
  const seen = await store.chats.list();
  // Messages waiting for someone the bot cannot reach yet: delivered when they first write.
  const waiting = new Map((await store.outbox?.heldCounts() ?? []).filter((h) => h.target.kind === 'user').map((h) => [h.target.id, h]));
  const waitNote = (userid: string): string => {
    const h = waiting.get(userid);
    return h ? `；有 ${h.count} 条消息在等他（最早 ${when(h.oldest)}），他一私聊机器人就会收到` : '';
  };
  const byId = new Map<string, ChatRecord>(seen.map((c) => [c.chatId, c]));
  const out: string[] = ['企业微信会话可达情况（机器人只能向曾经给它发过消息的会话推送）', ''];

  out.push('已配置的群：');
  if (config.groups.length === 0) out.push('  （配置中没有 groups）');
  for (const g of config.groups) {
    const rec = byId.get(g.chatid);
    const tags = [g.broadcast ? '广播群' : '', g.unit ? `单位：${g.unit}` : '', g.webhookKey ? '已配群机器人，可@提醒' : '']
      .filter(Boolean)
      .join('，');
    const head = `${g.name}（${g.chatid}${tags ? `，${tags}` : ''}）`;
    out.push(
      rec
        ? `  ✓ ${head} — 可推送，最近一次 ${when(rec.lastSeenAt)}`
        : `  ✗ ${head} — 尚不可推送：请群里任意一人 @机器人 说一句话`,
    );
  }

  out.push('', '成员（私聊）：');
  if (config.members.length === 0) out.push('  （配置中没有 members）');
  for (const m of config.members) {
    const rec = byId.get(m.userid);
    const head = `${m.name}（${m.unit}，${m.userid}）`;
    if (rec && rec.chatType === 'single') {
      out.push(`  ✓ ${head} — 可私信，最近一次 ${when(rec.lastSeenAt)}`);
      continue;
    }
    let fallback: string;
    try {
      const r = await resolvePushTarget({ kind: 'user', id: m.userid }, store, config);
      fallback = `给他的提醒会先保留，并在「${r.group?.name ?? r.target.id}」里每天提醒他一次私聊机器人`;
    } catch (err) {
      if (!(err instanceof UnreachableTargetError)) throw err;
      fallback = '也没有可转达的单位群或广播群，给他的提醒只能等他自己来私聊';
    }
    out.push(`  ✗ ${head} — 尚未私聊过机器人：请他私聊机器人一次；${fallback}${waitNote(m.userid)}`);
  }

  const strangers = [...waiting.values()].filter((h) => !config.members.some((m) => m.userid === h.target.id));
  if (strangers.length) {
    out.push('', '在等待送达、但不在 members 中的人：');
    for (const h of strangers) out.push(`  ${h.target.id} — ${h.count} 条（最早 ${when(h.oldest)}）`);
  }

  const configured = new Set([...config.groups.map((g) => g.chatid), ...config.members.map((m) => m.userid)]);
  const extra = seen.filter((c) => !configured.has(c.chatId));
  out.push('', '见过但未写入配置的会话：');
  if (extra.length === 0) out.push('  （无）');
  for (const c of extra) {
    out.push(
      c.chatType === 'group'
        ? `  群 ${c.chatId} — 最近一次 ${when(c.lastSeenAt)}（最近发言：${c.lastUserId}）；如需在此群提醒，把它加到 groups`
        : `  私聊 ${c.chatId} — 最近一次 ${when(c.lastSeenAt)}；此人不在 members 中，只能问答`,
    );
  }
  return out.join('\n');
}
