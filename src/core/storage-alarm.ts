import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { PushTarget, Reply } from '../domain/model/message.js';
import { shanghaiTime } from '../domain/calendar/shanghai.js';

/** Why the store cannot write: what an administrator has to look at differs for each. */
export type WriteFailureKind = 'disk_full' | 'read_only' | 'io_error' | 'refused';

export interface WriteFailure {
  kind: WriteFailureKind;
  /** The driver's code (SQLITE_FULL, ENOSPC, a PostgreSQL SQLSTATE such as 53100). */
  code: string;
  /** True for a PostgreSQL SQLSTATE: the problem is on the database server, not beside the bot. */
  postgres: boolean;
}

// Five digits or capitals with at least one digit: EROFS and EPERM are errnos, not SQLSTATEs.
const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/;

const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** The kind a single code stands for, or null when it is no failure to write. */
function kindOfCode(code: string): WriteFailureKind | null {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code === '53100') return 'disk_full';
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code === 'EIO' || code.startsWith('SQLITE_IOERR') || code === '58030') return 'io_error';
  // Class 53 (insufficient resources: memory, connections, limits) and a read-only transaction
  // (a standby, or default_transaction_read_only): the server is up but will not take the write.
  if (code === '25006' || (code.startsWith('53') && SQLSTATE.test(code))) return 'refused';
  return null;
}

/**
 * The failure to write that `err` reports (an SQLite result code, a Node fs code or a PostgreSQL
 * SQLSTATE, on the error or one it wraps), or null for anything else (a bug, a constraint). Start-up
 * uses the same codes for its exit 6 (store/storage-failure.ts), so both name a full disk alike.
 */
export function writeFailureOf(err: unknown): WriteFailure | null {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = codeOf(e);
    const kind = kindOfCode(code);
    if (kind) return { kind, code, postgres: SQLSTATE.test(code) };
  }
  return null;
}

/** What the person whose message could not be saved is told; safe in a group, says nothing of the message. */
export const STORAGE_FAILURE_REPLY: Reply = {
  text: '抱歉，这条消息没有保存：服务器的存储暂时出了问题，无法写入。这不是您操作的问题，已通知管理员处理，请稍后再发一次。',
};

/** The same, for a town whose config names no admin to tell. */
export const STORAGE_FAILURE_REPLY_UNTOLD: Reply = {
  text: '抱歉，这条消息没有保存：服务器的存储暂时出了问题，无法写入。这不是您操作的问题，请告知镇团委管理员，并稍后再发一次。',
};

/** How often the same kind of failure is told to the admins again while it lasts. */
export const STORAGE_NOTICE_INTERVAL_MS = 3_600_000;

const WHAT: Record<WriteFailureKind, (f: WriteFailure) => string> = {
  disk_full: (f) => (f.postgres ? 'PostgreSQL 数据库服务器的磁盘已满' : '数据目录所在的磁盘已满（或超出配额）'),
  read_only: () => '数据目录变成了只读，无法写入',
  io_error: (f) => (f.postgres ? 'PostgreSQL 数据库服务器读写磁盘出错' : '读写数据库文件时磁盘出错'),
  refused: () => 'PostgreSQL 数据库拒绝写入',
};

const TODO: Record<WriteFailureKind, (f: WriteFailure) => string> = {
  disk_full: (f) =>
    f.postgres
      ? '请让数据库管理员腾出 PostgreSQL 服务器的磁盘空间（或扩容）。'
      : '请腾出数据目录（HUMIAO_DATA_DIR）所在磁盘的空间（或扩容、调高配额），例如清理旧的备份和日志。',
  read_only: () => '请检查数据卷是否被重新挂载为只读（文件系统出错时系统会这样做，见 dmesg），以及数据目录的权限。',
  io_error: (f) =>
    f.postgres
      ? '请让数据库管理员检查 PostgreSQL 服务器的磁盘和日志。'
      : '请检查磁盘和文件系统（dmesg、磁盘健康状态）；数据库文件若已损坏，请用备份恢复（见 README「管理命令」）。',
  refused: (f) =>
    f.code === '25006'
      ? '连接是只读的（例如连到了只读的备库）：请检查 DATABASE_URL 和 PostgreSQL 的主备状态。'
      : '请检查 PostgreSQL 服务器的资源（磁盘、内存、连接数上限）和日志。',
};

export interface StorageAlarmOptions {
  /** The town's admins (userids); each is told privately. */
  admins: readonly string[];
  /**
   * Delivers a notice straight through the channel. The outbox lives in the store that cannot
   * write, so a notice queued there would be lost with the rest.
   */
  send: (target: PushTarget, reply: Reply) => Promise<unknown>;
  clock: Clock;
  log: Logger;
  intervalMs?: number;
}

interface Episode {
  failure: WriteFailure;
  since: Date;
  /** Whether the admins were told of this episode (so they are also told it ended). */
  told: boolean;
}

/**
 * Tells a town's admins, directly and at most once an hour per kind, that the store cannot write,
 * and once that it can again. Kept in memory: after a restart the first failure is told afresh,
 * which is what an admin who just restarted the bot wants to know. One per town runtime.
 */
export class StorageAlarm {
  private readonly open = new Map<WriteFailureKind, Episode>();
  private readonly lastTold = new Map<WriteFailureKind, number>();
  /** Deliveries still under way, so a test (or a stop) can wait for them. */
  private readonly sending = new Set<Promise<void>>();
  private readonly intervalMs: number;

  constructor(private readonly opts: StorageAlarmOptions) {
    this.intervalMs = opts.intervalMs ?? STORAGE_NOTICE_INTERVAL_MS;
  }

  /**
   * The reply for a message whose turn failed with `err`, when that was a failure to write; null
   * otherwise (the caller keeps its generic apology). Notices go out without holding the reply.
   */
  failed(err: unknown): Reply | null {
    const failure = writeFailureOf(err);
    if (!failure) return null;
    const { clock, log } = this.opts;
    const now = clock.now();
    let episode = this.open.get(failure.kind);
    if (!episode) {
      episode = { failure, since: now, told: false };
      this.open.set(failure.kind, episode);
      // Once per episode; each message after it is only a warning. The code, never the message.
      log.error({ storage: failure.kind, code: failure.code, postgres: failure.postgres }, 'store cannot write: messages are answered that nothing was saved; admins told');
    } else {
      log.warn({ storage: failure.kind, code: failure.code }, 'store still cannot write; message not saved');
    }
    const last = this.lastTold.get(failure.kind);
    if (last === undefined || now.getTime() - last >= this.intervalMs) {
      this.lastTold.set(failure.kind, now.getTime());
      episode.told = true;
      const f = episode.failure;
      this.notify(
        `⚠️ 护苗助手无法保存数据：${WHAT[f.kind](f)}（${f.code}），自 ${shanghaiTime(episode.since)}（北京时间）起。用户发来的消息没有保存，他们已被告知稍后再发。${TODO[f.kind](f)}恢复后会再通知您；问题持续时每小时最多提醒一次。`,
        { storage: f.kind, notice: 'failing' },
      );
    }
    return this.opts.admins.length > 0 ? STORAGE_FAILURE_REPLY : STORAGE_FAILURE_REPLY_UNTOLD;
  }

  /** A turn's writes were committed: any open episode is over, and admins told of it hear so once. */
  saved(): void {
    if (this.open.size === 0) return;
    const now = this.opts.clock.now();
    for (const [kind, episode] of this.open) {
      this.open.delete(kind);
      this.opts.log.info({ storage: kind, since: episode.since.toISOString() }, 'store writes again');
      if (!episode.told) continue;
      const f = episode.failure;
      this.notify(
        `✅ 护苗助手已恢复保存：自 ${shanghaiTime(episode.since)} 起的存储问题（${WHAT[f.kind](f)}）已于 ${shanghaiTime(now)} 解除，现在可以正常保存。期间没有保存的消息需要用户重新发送。`,
        { storage: kind, notice: 'recovered' },
      );
    }
  }

  /** Resolves when every notice started so far was delivered or given up. */
  async settled(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  private notify(text: string, fields: Record<string, string>): void {
    for (const admin of this.opts.admins) {
      const p = this.opts
        .send({ kind: 'user', id: admin }, { text })
        .then(
          () => this.opts.log.info(fields, 'storage notice sent to an admin'),
          // Not retried: the next failure after the hour, or the recovery, tries again.
          (err: unknown) => this.opts.log.warn({ ...fields, err: (err as Error).message ?? String(err) }, 'storage notice not delivered to an admin'),
        )
        .finally(() => this.sending.delete(p));
      this.sending.add(p);
    }
  }
}
