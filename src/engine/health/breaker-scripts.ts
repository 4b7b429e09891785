/**
 * The shared circuit of one target lives in one Redis hash; every change is
 * one Lua script, so two instances reporting at once cannot interleave. Time
 * is the Redis server's (TIME), so instances' clocks need not agree; replies
 * and messages carry durations ("retry in 12 s"), never instants.
 *
 * Hash `<prefix>cb:<target>`:
 *   st  closed | open | half_open      v   version: max(v + 1, now ms + 1) on
 *   cf  consecutive failures               each transition, so it only grows,
 *   tr  trips since last closed            even across a Redis restart
 *   ra  open until (ms, Redis clock)   e<i> n<i> f<i>  window bucket i: epoch,
 *                                                      requests, failures
 * Sorted set `<prefix>cb:<target>:probes`: half-open probe slots, scored by
 * when their lease ends.
 *
 * Every script replies with the circuit as it now is:
 *   { state, version, retryInMs, consecutive, requests, failures, granted }
 * and a transition is also published, as JSON, on `<prefix>cb:events`.
 */
import { LuaScript } from "../../core/redis-script.js";
import { WINDOW_BUCKETS } from "./error-window.js";
import type { CircuitState } from "./types.js";

// KEYS[1] = circuit hash, KEYS[2] = probe set. Defines now, the fields, window(), move(), publish(), reply().
const PRELUDE = `
local h, probes = KEYS[1], KEYS[2]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local raw = redis.call('HGETALL', h)
local f = {}
for i = 1, #raw, 2 do f[raw[i]] = raw[i + 1] end
local exists = #raw > 0
local st = f.st or 'closed'
local from = st
local v = tonumber(f.v or '0')
local cf = tonumber(f.cf or '0')
local tr = tonumber(f.tr or '0')
local ra = tonumber(f.ra or '0')
local BUCKETS = ${WINDOW_BUCKETS}

local function window(windowMs)
  local n = math.floor(now / math.max(1, windowMs / BUCKETS))
  local requests, failures = 0, 0
  for i = 0, BUCKETS - 1 do
    if tonumber(f['e' .. i] or '-1') > n - BUCKETS then
      requests = requests + tonumber(f['n' .. i] or '0')
      failures = failures + tonumber(f['f' .. i] or '0')
    end
  end
  return requests, failures, n
end

local function move(to)
  st = to
  -- Above now: a missing circuit read in this same millisecond is versioned now, and must lose.
  v = math.max(v + 1, now + 1)
end

local function retryIn()
  if st == 'open' then return math.max(0, ra - now) end
  return 0
end

local function publish(channel, key, requests, failures)
  redis.call('PUBLISH', channel, cjson.encode({ k = key, s = st, v = v, r = retryIn(), c = cf, n = requests, f = failures }))
end

local function reply(requests, failures, granted)
  return { st, v, retryIn(), cf, requests, failures, granted }
end
`;

/**
 * Records one outcome and applies the transitions it causes.
 * ARGV: ok (1|0), consecutiveFailures, errorRate, minRequests, windowMs,
 * cooldownMs, maxCooldownMs, ttlMs, channel, target key.
 */
export const RECORD = new LuaScript(`${PRELUDE}
local ok = ARGV[1] == '1'
local requests, failures, n = window(tonumber(ARGV[5]))
local slot = n % BUCKETS
if tonumber(f['e' .. slot] or '-1') ~= n then
  -- A bucket from an earlier lap: its counts already fell out of the window.
  redis.call('HSET', h, 'e' .. slot, n, 'n' .. slot, 0, 'f' .. slot, 0)
end
redis.call('HINCRBY', h, 'n' .. slot, 1)
requests = requests + 1
if ok then
  cf = 0
else
  redis.call('HINCRBY', h, 'f' .. slot, 1)
  failures = failures + 1
  cf = cf + 1
end

local function open(trips)
  tr = trips
  ra = now + math.min(tonumber(ARGV[7]), tonumber(ARGV[6]) * 2 ^ (math.min(trips, 31) - 1))
  move('open')
  redis.call('DEL', probes)
end

if st == 'closed' then
  if not ok and (cf >= tonumber(ARGV[2]) or (requests >= tonumber(ARGV[4]) and failures / requests > tonumber(ARGV[3]))) then
    open(1)
  end
elseif st == 'half_open' then
  if ok then
    local fields = {}
    for i = 0, BUCKETS - 1 do
      fields[#fields + 1] = 'e' .. i
      fields[#fields + 1] = 'n' .. i
      fields[#fields + 1] = 'f' .. i
    end
    redis.call('HDEL', h, unpack(fields))
    tr, cf, requests, failures = 0, 0, 0, 0
    move('closed')
    redis.call('DEL', probes)
  else
    open(tr + 1)
  end
end
-- Outcomes while open are stragglers from before the trip: counted, but they move nothing.

redis.call('HSET', h, 'st', st, 'v', v, 'cf', cf, 'tr', tr, 'ra', ra)
redis.call('PEXPIRE', h, ARGV[8])
if st ~= from then publish(ARGV[9], ARGV[10], requests, failures) end
return reply(requests, failures, 0)
`);

/**
 * Asks for a half-open probe slot. Turns an open circuit whose cooldown has
 * passed into half_open (published), then grants a slot if fewer than
 * halfOpenProbes unexpired ones are held.
 * ARGV: halfOpenProbes, probeLeaseMs, slot member, ttlMs, channel, target key, windowMs.
 */
export const CLAIM = new LuaScript(`${PRELUDE}
local requests, failures = window(tonumber(ARGV[7]))
if not exists then return { 'closed', now, 0, 0, 0, 0, 0 } end
if st == 'open' and now >= ra then
  move('half_open')
  redis.call('DEL', probes)
  redis.call('HSET', h, 'st', st, 'v', v)
  redis.call('PEXPIRE', h, ARGV[4])
  publish(ARGV[5], ARGV[6], requests, failures)
end
local granted = 0
if st == 'half_open' then
  redis.call('ZREMRANGEBYSCORE', probes, '-inf', now)
  if redis.call('ZCARD', probes) < tonumber(ARGV[1]) then
    redis.call('ZADD', probes, now + tonumber(ARGV[2]), ARGV[3])
    redis.call('PEXPIRE', probes, ARGV[2])
    granted = 1
  end
end
return reply(requests, failures, granted)
`);

/**
 * Reads a circuit without changing it. A missing hash (never used, expired,
 * or Redis lost it) is a closed circuit, versioned "now" so that it wins
 * over whatever a local view remembered from before.
 * ARGV: windowMs.
 */
export const PEEK = new LuaScript(`${PRELUDE}
local requests, failures = window(tonumber(ARGV[1]))
if not exists then return { 'closed', now, 0, 0, 0, 0, 0 } end
return reply(requests, failures, 0)
`);

export interface CircuitReply {
  state: CircuitState;
  version: number;
  retryInMs: number;
  consecutive: number;
  requests: number;
  failures: number;
  granted: boolean;
}

const STATES: readonly string[] = ["closed", "open", "half_open"] satisfies CircuitState[];

function isState(s: unknown): s is CircuitState {
  return typeof s === "string" && STATES.includes(s);
}

export function parseReply(raw: unknown): CircuitReply {
  if (!Array.isArray(raw) || raw.length !== 7 || !isState(raw[0]) || !raw.slice(1).every((n) => typeof n === "number")) {
    throw new Error(`unexpected circuit script reply: ${JSON.stringify(raw)}`);
  }
  const [state, version, retryInMs, consecutive, requests, failures, granted] = raw as [CircuitState, ...number[]];
  return { state, version: version!, retryInMs: retryInMs!, consecutive: consecutive!, requests: requests!, failures: failures!, granted: granted === 1 };
}

/** A published transition, or undefined when the message is not one of ours. */
export function parseEvent(text: string): { key: string; reply: CircuitReply } | undefined {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof m !== "object" || m === null) return undefined;
  const { k, s, v, r, c, n, f } = m as Record<string, unknown>;
  if (typeof k !== "string" || !isState(s)) return undefined;
  const num = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) ? x : 0);
  return { key: k, reply: { state: s, version: num(v), retryInMs: num(r), consecutive: num(c), requests: num(n), failures: num(f), granted: false } };
}
