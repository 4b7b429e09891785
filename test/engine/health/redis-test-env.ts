/** Real Redis for the health tests: one key prefix per test, every client tracked and closed, every key removed. */
import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export class RedisTestEnv {
  readonly prefix = `liaison-test:${randomUUID()}:`;
  readonly #clients: Redis[] = [];
  #admin: Promise<Redis> | undefined;

  admin(): Promise<Redis> {
    this.#admin ??= this.client({ connectionName: "liaison-test-admin" });
    return this.#admin;
  }

  /** A client, connected: what the gateway hands to the health components. */
  async client(options: RedisOptions = {}): Promise<Redis> {
    const c = this.unconnected(REDIS_URL, options);
    if (c.status !== "ready") await new Promise<void>((resolve, reject) => { c.once("ready", resolve); c.once("error", reject); });
    return c;
  }

  /** A client that may never connect (tests of Redis being down). */
  unconnected(url: string, options: RedisOptions = {}): Redis {
    const c = new Redis(url, options);
    c.on("error", () => {}); // the components under test report errors; the test client itself stays quiet
    this.#clients.push(c);
    return c;
  }

  async keys(): Promise<string[]> {
    const admin = await this.admin();
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await admin.scan(cursor, "MATCH", `${this.prefix}*`, "COUNT", 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== "0");
    return found;
  }

  async cleanup(): Promise<void> {
    const keys = await this.keys();
    if (keys.length) await (await this.admin()).del(...keys);
    for (const c of this.#clients) {
      if (c.status === "ready") await c.quit().catch(() => c.disconnect());
      else c.disconnect();
    }
    this.#clients.length = 0;
    this.#admin = undefined;
  }

  /** Kills the server side of every connection with this name (subscribers included): what a network blip does. */
  async kill(connectionName: string): Promise<number> {
    const admin = await this.admin();
    const list = (await admin.client("LIST")) as string;
    const ids = list.split("\n").filter((l) => l.includes(` name=${connectionName} `)).map((l) => /\bid=(\d+)/.exec(l)![1]!);
    for (const id of ids) await admin.client("KILL", "ID", id);
    return ids.length;
  }
}

/** Waits until the current minute has at least `ms` left, so a test's requests fall in one fixed window. */
export async function awayFromMinuteEdge(ms = 5_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await new Promise((r) => setTimeout(r, left + 50));
}
