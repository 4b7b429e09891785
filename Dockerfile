# syntax=docker/dockerfile:1
# Liaison's container image (docs/deploy.md). Two stages on the same base:
#   build   — every dependency, the TypeScript and the dashboard compiled;
#   runtime — production dependencies only (npm ci --omit=dev), the compiled
#             output, a non-root user, a health check on /health.
#
#   docker build -t liaison:local .
#   docker run --rm -p 4000:4000 -v liaison-data:/data liaison:local      # zero-config: mock/echo answers
#
# The base is an argument so a mirror or a pinned digest can be used:
#   docker build --build-arg NODE_IMAGE=registry.example.com/node:20-bookworm-slim .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt addon, and compiles one when none fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` (the build) needs the sources copied below;
# better-sqlite3, the one dependency with an install script, is built explicitly.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY ui ./ui
# dist/ (the gateway) and dist/ui/ (the dashboard served at /ui).
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# glibc keeps memory freed by large request bodies in per-thread arenas: with
# these, RSS returns within ~5 % after 10 000 fuzzed requests instead of ~43 %
# (bench/fuzz.ts, docs/benchmarks.md).
ENV MALLOC_ARENA_MAX=2 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
# The addon compiled in the build stage: same base image, same Node ABI, and no compiler in this one.
COPY --from=build /app/node_modules/better-sqlite3/build ./node_modules/better-sqlite3/build
COPY --from=build /app/dist ./dist
COPY bin ./bin
# State lives in /data: the SQLite file (storage.url sqlite://./liaison.db) and the
# request-log spool (logging.spool_dir ./liaison-spool) are relative to the working directory.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
WORKDIR /data
# The node image's unprivileged user (uid 1000).
USER node
EXPOSE 4000
# No curl in the slim image: Node's own fetch asks /health (liveness, no key needed).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# bin/liaison.js carries the V8 memory flags in its shebang; node becomes PID 1 and
# handles SIGTERM itself (drains requests, flushes the request log).
ENTRYPOINT ["/app/bin/liaison.js"]
# Listens on every interface inside the container. Mount a config and add
# `--config /etc/liaison/liaison.yaml` (compose.yaml and the Helm chart do);
# without one, ./liaison.yaml in /data, else zero-config from the environment.
CMD ["serve", "--host", "0.0.0.0", "--port", "4000"]
