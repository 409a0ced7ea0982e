/**
 * A TCP proxy that drops connections at random (B9): each accepted
 * connection is piped to the server and destroyed — both sides, no close
 * handshake, as a network drop or a NAT timeout would — after a lifetime
 * drawn from an exponential distribution with the given mean. Bytes are
 * not touched, so WebSocket frames and the upgrade pass through unchanged.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface DropProxy {
  /** host:port to connect to instead of the server. */
  host: string;
  /** Connections killed so far. */
  readonly drops: number;
  /** Stops (or resumes) killing; connections already open are left alone while paused. */
  setDropping(on: boolean): void;
  close(): Promise<void>;
}

export async function startDropProxy(target: { host: string; port: number }, meanLifetimeMs: number): Promise<DropProxy> {
  let drops = 0;
  let dropping = true;
  const live = new Set<{ client: Socket; upstream: Socket; timer?: NodeJS.Timeout }>();
  const arm = (c: { client: Socket; upstream: Socket; timer?: NodeJS.Timeout }) => {
    // Exponential lifetime: −mean·ln(U), U in (0, 1].
    const life = -meanLifetimeMs * Math.log(1 - Math.random());
    c.timer = setTimeout(() => {
      if (!dropping) return;
      drops++;
      c.client.destroy();
      c.upstream.destroy();
    }, life);
  };
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    const c = { client, upstream } as { client: Socket; upstream: Socket; timer?: NodeJS.Timeout };
    live.add(c);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      clearTimeout(c.timer);
      live.delete(c);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
    if (dropping) arm(c);
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    get drops() {
      return drops;
    },
    setDropping(on) {
      dropping = on;
      for (const c of live) {
        if (on && !c.timer) arm(c);
        if (!on) {
          clearTimeout(c.timer);
          c.timer = undefined;
        }
      }
    },
    close() {
      for (const c of live) c.client.destroy(), c.upstream.destroy();
      return new Promise((res) => server.close(() => res()));
    },
  };
}
