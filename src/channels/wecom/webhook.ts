import { utf8Bytes } from './split.js';

/** Where group-robot webhooks live; tests point this at a loopback server. */
export const WEBHOOK_BASE_URL = 'https://qyapi.weixin.qq.com';

/** Text messages through a group robot are capped at 2048 bytes (docs §3.1). */
export const WEBHOOK_TEXT_MAX_BYTES = 2048;

/**
 * Thrown by {@link sendWebhookText} when the webhook answered with a non-zero errcode (93000: bad
 * or deleted key; 45009: more than 20 messages a minute), a non-2xx status, or not at all.
 */
export class WebhookError extends Error {
  override name = 'WebhookError';
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super(message);
  }
}

export interface WebhookOptions {
  baseUrl?: string;
  timeoutMs?: number;
}

/**
 * Post a text through a group robot (消息推送) so that the people in `mentionUserIds` are really
 * @-mentioned — the intelligent bot's own messages cannot mention anyone. Used only for that.
 * The key is a credential: it is never logged.
 */
export async function sendWebhookText(
  key: string,
  content: string,
  mentionUserIds: readonly string[],
  opts: WebhookOptions = {},
): Promise<void> {
  if (utf8Bytes(content) > WEBHOOK_TEXT_MAX_BYTES) {
    throw new WebhookError(`群机器人文本超过 ${WEBHOOK_TEXT_MAX_BYTES} 字节`);
  }
  const url = `${opts.baseUrl ?? WEBHOOK_BASE_URL}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'text', text: { content, mentioned_list: mentionUserIds } }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new WebhookError(`群机器人请求失败：${(err as Error).message}`);
  }
  if (!res.ok) throw new WebhookError(`群机器人返回 HTTP ${res.status}`);
  const body = (await res.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
  // WeCom answers 200 on business errors too; only errcode decides.
  if (body.errcode !== 0) {
    throw new WebhookError(`群机器人返回 errcode ${body.errcode ?? '（无）'}：${body.errmsg ?? ''}`, body.errcode);
  }
}
