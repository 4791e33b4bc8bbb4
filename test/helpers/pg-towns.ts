import pg from 'pg';
import { pgTestUrl } from './stores.js';

/**
 * A client on the test database for looking at towns' rows from outside the bot; `cleanups`
 * gets a step that drops the towns' schemas and leases and closes the client.
 */
export async function pgClientForTowns(towns: readonly string[], cleanups: Array<() => Promise<void> | void>): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: pgTestUrl });
  await client.connect();
  cleanups.push(async () => {
    for (const t of towns) {
      await client.query(`DROP SCHEMA IF EXISTS town_${t} CASCADE`);
      await client.query('DELETE FROM humiao.leases WHERE town = $1', [t]).catch(() => {});
    }
    await client.end();
  });
  return client;
}
