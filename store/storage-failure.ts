import { statSync } from 'node:fs';
import { writeFailureOf } from '../src/core/storage-alarm.js';

/**
 * The store could not be used for a reason outside the program: the SQLite file is held by
 * another process, the data folder is read-only or on a full disk, or its path is not a folder.
 * `npm start` and the CLI print its one line and exit with `exitCode`, so a supervisor can tell
 * these apart: 2 a setting to correct, 5 busy now (a restart later may succeed, like an
 * unreachable PostgreSQL), 6 the disk or the folder itself needs attention.
 */
export class StoreUnusableError extends Error {
  override name = 'StoreUnusableError';
  constructor(
    message: string,
    readonly exitCode: 2 | 5 | 6,
  ) {
    super(message);
  }
}

/** Where the failure happened, as the operator set it up. */
export interface StorageWhere {
  /** The data folder (HUMIAO_DATA_DIR), when known. */
  dir?: string;
  /** The database file, when known. */
  file?: string;
}

const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

const isFile = (path: string): boolean => {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/**
 * The one-line explanation of a storage failure (a Node fs error code, an SQLite result code,
 * or a PostgreSQL SQLSTATE), or null when `err` is something else, which callers report as it is.
 */
export function storageFailure(err: unknown, where: StorageWhere = {}): StoreUnusableError | null {
  if (err instanceof StoreUnusableError) return err;
  const code = codeOf(err);
  const dir = where.dir ? `数据目录 ${where.dir} ` : '数据目录';
  const db = where.file ? `数据库 ${where.file} ` : '数据库';
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
    return new StoreUnusableError(`${db}正被另一个进程占用，等了 5 秒仍未释放。请确认没有另一个护苗助手或其他程序在使用同一个数据目录，然后再启动。`, 5);
  }
  // The same codes the running bot tells its admins about (src/core/storage-alarm.ts).
  const failure = writeFailureOf(err);
  const pgCode = failure?.postgres ? failure.code : '';
  const kind = failure && !failure.postgres ? failure.kind : undefined;
  if (pgCode === '53100') return new StoreUnusableError('PostgreSQL 服务器的磁盘已满，无法写入。请让数据库管理员腾出空间后再启动。', 6);
  if (pgCode === '25006') return new StoreUnusableError('PostgreSQL 连接是只读的（例如连到了只读的备库），无法写入。请检查 DATABASE_URL。', 6);
  if (kind === 'disk_full') {
    return new StoreUnusableError(`${dir}所在的磁盘已满（或超出配额），无法写入。请腾出空间后再启动。`, 6);
  }
  if (kind === 'read_only' || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return new StoreUnusableError(`${dir}不能写入（只读或没有权限）。护苗助手要在这里保存个案数据：请修正权限，或用 HUMIAO_DATA_DIR 指定一个可写的目录。`, 6);
  }
  if (code === 'ENOTDIR' || code === 'EISDIR' || (code === 'EEXIST' && where.dir && isFile(where.dir))) {
    return new StoreUnusableError(`${dir}不是文件夹：路径中有一段是文件。请用 HUMIAO_DATA_DIR 指定一个文件夹。`, 2);
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) {
    return new StoreUnusableError(`${db}不是护苗助手的数据库，或已损坏（${code}）。请用备份恢复（见 README「管理命令」）。`, 6);
  }
  if (kind === 'io_error') {
    return new StoreUnusableError(`读写${db}时磁盘出错（${code}）。请检查磁盘和文件系统后再启动。`, 6);
  }
  return null;
}
