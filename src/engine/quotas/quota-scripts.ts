/**
 * The shared limits in Redis: three Lua scripts, so that checking and
 * reserving across every subject of a request is one atomic step and two
 * instances can never both take the last request, token or slot.
 *
 * Per subject:
 *   `<prefix>q:r:<subject>`  hash { w, r, t, pr, pt }: the window of
 *                            shared-state/sliding-window.ts; expires 2
 *                            minutes after its last use.
 *   `<prefix>q:p:<subject>`  sorted set of parallel slots: member = one
 *                            admission, score = when its lease ends (ms).
 *
 * Parallel slots are leases, not a bare counter: a counter that an instance
 * incremented and then crashed before decrementing stays too high for as
 * long as traffic keeps refreshing its TTL, that is, forever. A lease ends
 * on its own `leaseMs` after its last renewal; the gate renews the leases it
 * holds every leaseMs / 3, so a long stream keeps its slot and a crashed
 * instance's slots come back within leaseMs. Expired leases are dropped
 * (ZREMRANGEBYSCORE) before every count.
 *
 * Time is the Redis server's (TIME), so instances' clocks need not agree.
 * Keys of one request live in different hash slots: with Redis Cluster all
 * of them must share one slot (a `{hash tag}` prefix), which is left for
 * when the gateway supports Cluster at all.
 */
import { LuaScript } from "../../core/redis-script.js";
import { WINDOW_MS } from "../shared-state/sliding-window.js";

const CLOCK = `
local W = ${WINDOW_MS}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local idx = math.floor(now / W)
local elapsed = now - idx * W
local function load(h)
  local s = redis.call('HMGET', h, 'w', 'r', 't', 'pr', 'pt')
  local w = tonumber(s[1])
  local r, t, pr, pt = tonumber(s[2]) or 0, tonumber(s[3]) or 0, tonumber(s[4]) or 0, tonumber(s[5]) or 0
  if w ~= idx then
    if w == idx - 1 then pr, pt = r, t else pr, pt = 0, 0 end
    r, t = 0, 0
  end
  return { r = r, t = t, pr = pr, pt = pt, known = w ~= nil }
end
local function save(h, s)
  redis.call('HSET', h, 'w', idx, 'r', s.r, 't', s.t, 'pr', s.pr, 'pt', s.pt)
  redis.call('PEXPIRE', h, 2 * W)
end
`;

/** Refusal reasons in script replies. */
export const KIND_CODES = { 1: "rpm", 2: "tpm", 3: "parallel" } as const;

/**
 * Checks every subject, then reserves on all of them or none.
 * KEYS: per subject, its hash then its slot set.
 * ARGV: tokens, leaseMs, slot member, subject count, then per subject rpm, tpm, maxParallel (0 = no limit).
 * Reply: { admitted (1|0), window index, elapsed ms, refusing subject (1-based, 0 if admitted),
 *          refusal kind (KIND_CODES, 0 if admitted), then per subject r, t, pr, pt, slots held }.
 * The counts are after the reservation when admitted, as found when refused.
 */
export const ADMIT = new LuaScript(`${CLOCK}
local tokens, lease, member, n = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local weight = 1 - elapsed / W
local subjects = {}
local refusedAt, kind = 0, 0
for i = 1, n do
  local base = 4 + (i - 1) * 3
  local rpm, tpm, par = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  local s = { r = 0, t = 0, pr = 0, pt = 0 }
  if rpm > 0 or tpm > 0 then s = load(KEYS[2 * i - 1]) end
  s.held = 0
  if par > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[2 * i], '-inf', now)
    s.held = redis.call('ZCARD', KEYS[2 * i])
  end
  s.rpm, s.tpm, s.par = rpm, tpm, par
  subjects[i] = s
  if refusedAt == 0 then
    if rpm > 0 and s.pr * weight + s.r + 1 > rpm then refusedAt, kind = i, 1
    elseif tpm > 0 and s.pt * weight + s.t + tokens > tpm then refusedAt, kind = i, 2
    elseif par > 0 and s.held + 1 > par then refusedAt, kind = i, 3 end
  end
end
if refusedAt == 0 then
  for i = 1, n do
    local s = subjects[i]
    if s.rpm > 0 or s.tpm > 0 then
      s.r, s.t = s.r + 1, s.t + tokens
      save(KEYS[2 * i - 1], s)
    end
    if s.par > 0 then
      redis.call('ZADD', KEYS[2 * i], now + lease, member)
      redis.call('PEXPIRE', KEYS[2 * i], lease)
      s.held = s.held + 1
    end
  end
end
local reply = { refusedAt == 0 and 1 or 0, idx, elapsed, refusedAt, kind }
for i = 1, n do
  local s = subjects[i]
  reply[#reply + 1] = s.r
  reply[#reply + 1] = s.t
  reply[#reply + 1] = s.pr
  reply[#reply + 1] = s.pt
  reply[#reply + 1] = s.held
end
return reply
`);

/**
 * Ends one admission: settles its tokens and frees its slots.
 * KEYS: per subject, its hash then its slot set.
 * ARGV: window index of the reservation, token delta (actual − reserved),
 *       slot member, subject count, then per subject: has rate limits (1|0), has a slot (1|0).
 * Mirrors settleTokens() in shared-state/sliding-window.ts. A hash that expired meanwhile is not recreated.
 */
export const RELEASE = new LuaScript(`${CLOCK}
local reservedIn, delta, member, n = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
for i = 1, n do
  local base = 4 + (i - 1) * 2
  if ARGV[base + 1] == '1' and delta ~= 0 then
    local s = load(KEYS[2 * i - 1])
    if s.known then
      if delta > 0 then
        s.t = s.t + delta
      elseif reservedIn == idx then
        s.t = math.max(0, s.t + delta)
      elseif reservedIn == idx - 1 then
        s.pt = math.max(0, s.pt + delta)
      end
      save(KEYS[2 * i - 1], s)
    end
  end
  if ARGV[base + 2] == '1' then redis.call('ZREM', KEYS[2 * i], member) end
end
return 1
`);

/**
 * Extends the leases this instance holds. KEYS: slot sets; ARGV: leaseMs,
 * then the member for each key. XX: a lease that already ended (Redis was
 * unreachable for longer than leaseMs) is not brought back.
 */
export const RENEW = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local lease = tonumber(ARGV[1])
for i = 1, #KEYS do
  if redis.call('ZADD', KEYS[i], 'XX', 'CH', now + lease, ARGV[i + 1]) == 1 then
    redis.call('PEXPIRE', KEYS[i], lease)
  end
end
return #KEYS
`);
