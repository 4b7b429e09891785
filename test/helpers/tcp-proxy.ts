/**
 * A TCP proxy in front of one server (PostgreSQL, in the outage tests) that
 * can be cut: every connection through it is reset and new ones are reset
 * at once ("reset", like a database that is down) or accepted and never
 * answered ("hang", like a network partition), until it is restored. It
 * makes the server unreachable for whoever connects through the proxy
 * only, disturbing no other test.
 */
import { createConnection, createServer, type Socket } from "node:net";

export type CutMode = "reset" | "hang";

export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1. */
  port: number;
  /** Connections currently piped through to the target. */
  readonly open: number;
  cut(mode?: CutMode): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let state: "open" | CutMode = "open";
  const piped = new Set<Socket>();
  const hung = new Set<Socket>();

  const kill = (socket: Socket): void => {
    // A reset, not a polite FIN: what a crashed server or a broken route looks like.
    if (!socket.destroyed) socket.resetAndDestroy();
  };
  const track = (set: Set<Socket>, socket: Socket): void => {
    set.add(socket);
    socket.once("close", () => set.delete(socket));
    // Errors are the point of this proxy; unhandled they would crash the test run.
    socket.on("error", () => undefined);
  };

  const server = createServer((client) => {
    if (state === "reset") return kill(client);
    if (state === "hang") return track(hung, client);
    const upstream = createConnection(target);
    track(piped, client);
    track(piped, upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side going away takes the other with it.
    client.once("close", () => kill(upstream));
    upstream.once("close", () => kill(client));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP address");

  return {
    port: address.port,
    get open() {
      return piped.size / 2;
    },
    cut(mode = "reset") {
      state = mode;
      for (const socket of [...piped]) kill(socket);
    },
    restore() {
      state = "open";
      // Clients waiting on a hung connection learn at once that it is dead, and reconnect.
      for (const socket of [...hung]) kill(socket);
    },
    async close() {
      for (const socket of [...piped, ...hung]) kill(socket);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
