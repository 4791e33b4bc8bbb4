import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { storageFailure, StoreUnusableError } from '../../store/storage-failure.js';

const err = (code: string) => Object.assign(new Error(`raw ${code}`), { code });

describe('storage failures are named by their code, not their English text', () => {
  it.each([
    ['SQLITE_BUSY', 5, '正被另一个进程占用'],
    ['SQLITE_BUSY_SNAPSHOT', 5, '正被另一个进程占用'],
    ['SQLITE_LOCKED', 5, '正被另一个进程占用'],
    ['SQLITE_FULL', 6, '磁盘已满'],
    ['ENOSPC', 6, '磁盘已满'],
    ['EDQUOT', 6, '磁盘已满'],
    ['EROFS', 6, '不能写入'],
    ['EACCES', 6, '不能写入'],
    ['SQLITE_READONLY', 6, '不能写入'],
    ['SQLITE_READONLY_DBMOVED', 6, '不能写入'],
    ['SQLITE_CANTOPEN', 6, '不能写入'],
    ['ENOTDIR', 2, '不是文件夹'],
    ['SQLITE_NOTADB', 6, '已损坏'],
    ['SQLITE_IOERR_WRITE', 6, '磁盘出错'],
    ['53100', 6, 'PostgreSQL 服务器的磁盘已满'],
    ['25006', 6, 'PostgreSQL 连接是只读的'],
  ])('%s → exit %i', (code, exit, text) => {
    const f = storageFailure(err(code), { dir: '/srv/humiao/data', file: '/srv/humiao/data/humiao.db' });
    expect(f).toBeInstanceOf(StoreUnusableError);
    expect(f!.exitCode).toBe(exit);
    expect(f!.message).toContain(text);
    expect(f!.message).not.toContain('raw');
  });

  it('anything else is left for the caller to report as it is', () => {
    expect(storageFailure(err('SQLITE_ERROR'))).toBeNull();
    expect(storageFailure(new Error('no code'))).toBeNull();
    expect(storageFailure('not an error')).toBeNull();
  });

  it('opening a store where its folder is a file rejects with the one-line failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'humiao-store-'));
    writeFileSync(join(dir, 'data'), 'not a folder');
    const failed = await openSqliteStore(join(dir, 'data', 'humiao.db')).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StoreUnusableError);
    expect((failed as StoreUnusableError).exitCode).toBe(2);
  });
});
