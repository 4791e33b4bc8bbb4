/**
 * Makes the asynchronous `pg` driver callable from synchronous code. A worker thread
 * (pg-worker.mjs) owns the connection; `call()` posts a request to it and blocks the calling
 * thread in `Atomics.wait` until the worker has posted the reply and flipped the shared slot,
 * then reads the reply with `receiveMessageOnPort`. The worker is unref'ed, so an idle bridge
 * never keeps the process alive.
 */
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

export interface BridgeConfig {
  url: string;
  /** Schemas for `SET search_path`, first one first; unquoted names, the worker quotes them. */
  searchPath?: string[];
  applicationName?: string;
  connectTimeoutMs: number;
  /** The server cancels any statement running longer (SQLSTATE 57014) while the connection stays usable. */
  statementTimeoutMs?: number;
}

/**
 * `tx`: a transaction is open on the server, so a lost connection must not be silently replaced.
 * `pre`: SQL (simple protocol) to run first on the same connection, e.g. a deferred BEGIN.
 */
export type BridgeRequest =
  | { op: 'connect' }
  | { op: 'close' }
  | { op: 'exec'; sql: string; tx: boolean; pre?: string }
  | { op: 'query' | 'run'; sql: string; params: unknown[]; name?: string; array?: boolean; tx: boolean; pre?: string };

/** What the worker says went wrong; `kind` tells a rejected statement from a lost or failed connection. */
export interface BridgeError {
  kind: 'query' | 'connect' | 'connection' | 'lost' | 'internal';
  message: string;
  code?: string;
  hint?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

export interface BridgeReply {
  id: number;
  ok?: true;
  rows?: unknown[];
  changes?: number;
  error?: BridgeError;
}

/**
 * Thrown when the worker has not answered within the bridge's wait limit. The worker (and with it
 * the connection and any open transaction) is thrown away; the next call starts a fresh one.
 */
export class PgTimeoutError extends Error {
  override name = 'PgTimeoutError';
}

/**
 * Thrown when a request cannot be handed to the worker at all, e.g. a parameter value that cannot
 * be copied between threads (a function, a symbol). Nothing reached the server.
 */
export class PgBridgeSendError extends TypeError {
  override name = 'PgBridgeSendError';
}

const WORKER_URL = new URL('./pg-worker.mjs', import.meta.url);

export class SyncPgBridge {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private slot: Int32Array | null = null;
  private nextId = 1;

  constructor(
    private readonly config: BridgeConfig,
    private readonly timeoutMs: number,
  ) {}

  /** Whether a worker (and so possibly an open connection) exists right now. */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Sends one request and blocks until its reply; starts the worker first if there is none. */
  call(req: BridgeRequest, timeoutMs = this.timeoutMs): BridgeReply {
    if (!this.worker) this.start();
    const slot = this.slot!;
    const port = this.port!;
    const id = this.nextId++;
    Atomics.store(slot, 0, 0);
    try {
      port.postMessage({ ...req, id });
    } catch (e) {
      throw new PgBridgeSendError(`Cannot send to PostgreSQL (${describe(req)}): ${(e as Error).message}`, { cause: e });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || (Atomics.load(slot, 0) === 0 && Atomics.wait(slot, 0, 0, left) === 'timed-out')) {
        this.stop();
        throw new PgTimeoutError(`PostgreSQL did not answer within ${timeoutMs} ms (${describe(req)}); the connection was reset`);
      }
      // The worker posts before it flips the slot, so the reply is normally queued by now; stale
      // replies (none are expected, since a timeout discards the worker) are skipped by id.
      let msg = receiveMessageOnPort(port);
      while (msg && (msg.message as BridgeReply).id !== id) msg = receiveMessageOnPort(port);
      if (msg) return msg.message as BridgeReply;
      if (Atomics.load(slot, 0) === 2) {
        this.stop();
        const tx = 'tx' in req && req.tx;
        return { id, error: { kind: tx ? 'lost' : 'connection', message: 'the PostgreSQL worker thread exited' } };
      }
      Atomics.wait(slot, 0, 1, 1);
    }
  }

  /** Discards the worker and its connection without waiting; the next call starts afresh. */
  stop(): void {
    const worker = this.worker;
    this.worker = null;
    this.port?.close();
    this.port = null;
    this.slot = null;
    if (worker) void worker.terminate().catch(() => {});
  }

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const worker = new Worker(WORKER_URL, {
      workerData: { port: port2, signal, config: this.config },
      transferList: [port2],
      // The worker is plain JS: no need to load the parent's TypeScript loader into it.
      execArgv: [],
    });
    worker.unref();
    // Without a listener an error event would be rethrown on the main thread; failures surface as timeouts.
    worker.on('error', () => {});
    port1.unref();
    this.worker = worker;
    this.port = port1;
    this.slot = new Int32Array(signal);
  }
}

function describe(req: BridgeRequest): string {
  if (req.op === 'connect' || req.op === 'close') return req.op;
  return req.sql.replace(/\s+/g, ' ').slice(0, 80);
}
