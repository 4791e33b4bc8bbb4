import { join, resolve } from 'node:path';

/** Where case data lives: `HUMIAO_DATA_DIR` (default `./data`). Never inside the git tree's tracked files. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.HUMIAO_DATA_DIR ?? 'data');
}

export function databaseFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'humiao.db');
}
