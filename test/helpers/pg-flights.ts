import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between a client and PostgreSQL that counts the client's flights: a flight is what
 * the client sends before it hears anything back. The server's answers are held back `holdMs`
 * while counting, so whatever the client sends without waiting for an answer lands in the
 * flight it belongs to, however the operating system splits it; a client that waits for each
 * answer makes one flight per round trip.
 */
export class PgFlights {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private counting = false;
  flights = 0;

  private constructor(
    private readonly target: { host: string; port: number },
    private readonly holdMs: number,
  ) {}

  /** Starts a relay to the server of `url` (TCP or a Unix socket directory as host). */
  static async start(url: string, holdMs = 25): Promise<PgFlights> {
    const u = new URL(url);
    const host = u.searchParams.get('host') ?? (u.hostname || '127.0.0.1');
    const relay = new PgFlights({ host, port: Number(u.port || 5432) }, holdMs);
    relay.server = createServer((client) => relay.pair(client));
    await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));
    return relay;
  }

  /** `url` with its host and port replaced by the relay's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.searchParams.delete('host');
    u.hostname = '127.0.0.1';
    u.port = String((this.server.address() as AddressInfo).port);
    return u.toString();
  }

  /** Flights the client sends while `fn` runs. */
  async count(fn: () => Promise<unknown>): Promise<number> {
    this.flights = 0;
    this.counting = true;
    try {
      await fn();
    } finally {
      this.counting = false;
    }
    return this.flights;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private pair(client: Socket): void {
    const { host, port } = this.target;
    const server = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
    client.setNoDelay(true);
    if (!host.startsWith('/')) server.setNoDelay(true);
    this.sockets.add(client).add(server);
    // Whether the client has heard back since its last flight began.
    let answered = true;
    // Answers go out in order: each waits for the one before it.
    let last = Promise.resolve();
    client.on('data', (chunk) => {
      if (this.counting && answered) this.flights++;
      answered = false;
      server.write(chunk);
    });
    server.on('data', (chunk) => {
      // Held from when it arrived, so an answer in several chunks is held once.
      const due = Date.now() + (this.counting ? this.holdMs : 0);
      last = last.then(
        () =>
          new Promise<void>((r) =>
            setTimeout(() => {
              answered = true;
              client.write(chunk);
              r();
            }, Math.max(0, due - Date.now())),
          ),
      );
    });
    const end = () => {
      client.destroy();
      server.destroy();
      this.sockets.delete(client);
      this.sockets.delete(server);
    };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  }
}
