import { createServer, type Server } from 'node:http';
import { webhookCallback, type Bot } from 'grammy';

/** Webhook mode: Telegram posts updates to `url`, which a reverse proxy forwards to host:port. */
export interface TelegramWebhookOptions {
  /** The public HTTPS address registered with setWebhook. */
  url: string;
  /** Where the local HTTP server listens; default 127.0.0.1 (behind the proxy). */
  host?: string;
  port: number;
  /** Telegram sends it back in X-Telegram-Bot-Api-Secret-Token; other posts are refused. */
  secretToken: string;
}

/**
 * Serves the webhook and registers it with Telegram. An update is acknowledged (HTTP 200) only
 * after it was dispatched, so one that fails is sent again by Telegram, like an unconfirmed
 * getUpdates offset in polling mode. Resolves with a function that closes the server; the webhook
 * stays registered, so Telegram keeps updates until the bot is back.
 */
export async function serveWebhook(
  bot: Bot,
  opts: TelegramWebhookOptions,
  allowedUpdates: ReadonlyArray<'message' | 'callback_query'>,
): Promise<() => Promise<void>> {
  const handle = webhookCallback(bot, 'http', { secretToken: opts.secretToken, onTimeout: 'return' });
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  try {
    await bot.api.setWebhook(opts.url, { secret_token: opts.secretToken, allowed_updates: allowedUpdates });
  } catch (err) {
    await close();
    throw err;
  }
  return close;
}
