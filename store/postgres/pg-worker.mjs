// The worker half of the synchronous PostgreSQL bridge (see sync-client.ts). It owns one pg.Client,
// runs each request the main thread posts, posts the reply and then wakes the main thread, which is
// blocked in Atomics.wait on the shared slot. Plain JS so it loads without a TypeScript loader.
import { workerData } from 'node:worker_threads';

/** @type {{ port: import('node:worker_threads').MessagePort, signal: SharedArrayBuffer, config: any }} */
const { port, signal, config } = workerData;
const slot = new Int32Array(signal);

let pgModule;
/** @type {any} */
let client = null;
/** Set when the connection failed or was lost; the next request outside a transaction reconnects. */
let dead = false;

// A stray error from the driver (outside any request) must not kill the worker and strand the
// caller: treat the connection as suspect and reconnect on the next request instead.
process.on('uncaughtException', () => {
  dead = true;
});

// 2 in the slot tells a caller blocked on it that no reply will come (process.exit, a fatal error).
process.on('exit', () => {
  Atomics.store(slot, 0, 2);
  Atomics.notify(slot, 0);
});

function reply(message) {
  port.postMessage(message);
  Atomics.store(slot, 0, 1);
  Atomics.notify(slot, 0);
}

function quoteIdent(name) {
  return '"' + String(name).replace(/"/g, '""') + '"';
}

async function loadPg() {
  if (!pgModule) pgModule = (await import('pg')).default;
  return pgModule;
}

/** int8 and numeric are counts and sums here: plain numbers are what the repositories expect. */
function makeTypes(pg) {
  const toNumber = (v) => (v === null ? null : Number(v));
  return {
    getTypeParser(oid, format) {
      if ((format === undefined || format === 'text') && (oid === 20 || oid === 1700)) return toNumber;
      return pg.types.getTypeParser(oid, format);
    },
  };
}

async function connect() {
  const pg = await loadPg();
  const c = new pg.Client({
    connectionString: config.url,
    application_name: config.applicationName,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    types: makeTypes(pg),
  });
  // Only the current client's failures count: an old one being ended must not condemn its successor.
  c.on('error', () => {
    if (client === c) dead = true;
  });
  c.on('end', () => {
    if (client === c) dead = true;
  });
  try {
    await c.connect();
    if (config.searchPath && config.searchPath.length > 0) {
      await c.query(`SET search_path TO ${config.searchPath.map(quoteIdent).join(', ')}`);
    }
    // The quarterly statistics query is costed high enough to trigger JIT compilation, which took
    // ~290 ms of a 650 ms report; our statements are short and prepared, JIT never pays off here.
    await c.query('SET jit = off');
  } catch (e) {
    c.end().catch(() => {});
    throw e;
  }
  client = c;
  dead = false;
}

async function dropClient() {
  const c = client;
  client = null;
  if (c) await c.end().catch(() => {});
}

function serializeError(e, kind) {
  const err = e ?? {};
  return {
    kind,
    message: typeof err.message === 'string' && err.message ? err.message : String(e),
    code: err.code,
    // Not `detail`: for a refused row PostgreSQL puts the row's values there ("Key (id_hash)=…",
    // "Failing row contains (…)"), and errors end up in logs; the code and constraint suffice.
    hint: err.hint,
    constraint: err.constraint,
    table: err.table,
    column: err.column,
  };
}

/** A server error leaves the connection usable; anything without a SQLSTATE (socket, protocol) does not. */
function isServerError(e) {
  // 08xxx: connection exceptions; 57P0x: the server is shutting down or ended this backend.
  return e && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !/^(08|57P0)/.test(e.code);
}

async function ensureClient(inTransaction) {
  if (client && !dead) return null;
  if (inTransaction) {
    return { kind: 'lost', message: 'The PostgreSQL connection was lost inside a transaction; the transaction is gone' };
  }
  await dropClient();
  try {
    await connect();
  } catch (e) {
    dead = true;
    return serializeError(e, 'connect');
  }
  return null;
}

async function run(req) {
  if (req.op === 'close') {
    await dropClient();
    return { ok: true };
  }
  const failure = await ensureClient(req.tx);
  if (failure) return { error: failure };
  try {
    if (req.op === 'connect') return { ok: true };
    // `pre` carries transaction control the caller deferred (BEGIN, SAVEPOINT, RELEASE …) so that
    // it travels with the statement instead of costing a bridge round trip of its own.
    if (req.op === 'exec') {
      await client.query(req.pre ? `${req.pre};\n${req.sql}` : req.sql);
      return { ok: true };
    }
    if (req.pre) await client.query(req.pre);
    const cfg = { text: req.sql, values: req.params };
    if (req.name) cfg.name = req.name;
    if (req.array) cfg.rowMode = 'array';
    let res;
    try {
      res = await client.query(cfg);
    } catch (e) {
      // A table changed under a named statement (a migration ran after it was prepared): outside a
      // transaction the server can simply plan it again under the same name.
      if (req.name && !req.tx && !req.pre && e && e.code === '0A000' && /cached plan/.test(String(e.message))) {
        await client.query(`DEALLOCATE ${quoteIdent(req.name)}`).catch(() => {});
        delete client.connection.parsedStatements[req.name];
        res = await client.query(cfg);
      } else {
        throw e;
      }
    }
    if (req.op === 'run') return { changes: res.rowCount ?? 0 };
    return { rows: res.rows };
  } catch (e) {
    if (!isServerError(e)) {
      dead = true;
      return { error: serializeError(e, req.tx ? 'lost' : 'connection') };
    }
    return { error: serializeError(e, 'query') };
  }
}

port.on('message', async (req) => {
  // Lets the tests see a worker die mid-call; nothing else sends it.
  if (req.op === 'exit-for-test') process.exit(1);
  let result;
  try {
    result = await run(req);
  } catch (e) {
    result = { error: serializeError(e, 'internal') };
  }
  try {
    reply({ id: req.id, ...result });
  } catch (e) {
    // Rows that cannot be cloned (should not happen with pg's plain values) must still wake the caller.
    reply({ id: req.id, error: serializeError(e, 'internal') });
  }
});
