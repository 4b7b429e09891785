/**
 * `round-robin`: each request starts one target further along the route's
 * list; the retry order continues around the ring. One cursor per route,
 * held by this strategy instance.
 */
import type { Strategy } from "./types.js";

/** Routes are config names or direct `provider/model` names; the cap keeps a stream of unique names from growing the map without end. */
const MAX_ROUTES = 10_000;

export function roundRobinStrategy(): Strategy {
  const cursors = new Map<string, number>();
  return {
    name: "round-robin",
    order(targets, ctx) {
      const n = targets.length;
      if (n <= 1) return [...targets];
      const at = cursors.get(ctx.route);
      if (at === undefined && cursors.size >= MAX_ROUTES) {
        // Forget the oldest route: at worst it restarts its rotation at the first target.
        const oldest = cursors.keys().next();
        if (!oldest.done) cursors.delete(oldest.value);
      }
      const start = (at ?? 0) % n;
      // Stored modulo n so the counter never grows; a changed list length is handled by the % above.
      cursors.set(ctx.route, (start + 1) % n);
      const out = new Array<(typeof targets)[number]>(n);
      for (let i = 0; i < n; i++) out[i] = targets[(start + i) % n]!;
      return out;
    },
  };
}
