/**
 * deploy/compose.yaml and the files it mounts, checked offline: the
 * services and how they reach each other, the gateway's config validated
 * by the gateway's own loader (providers_csv included) with the
 * environment compose gives it, Prometheus scraping /metrics, Grafana's
 * provisioned datasource and dashboard — whose every metric and label is
 * one the gateway really exports. Where the tools are installed (Debian's
 * docker-compose, promtool), they check the files too; without them those
 * tests are skipped, the rest still run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadConfigFile } from "../../src/config/load.js";
import { Metrics } from "../../src/telemetry/metrics.js";

const DEPLOY = new URL("../../deploy/", import.meta.url).pathname;
const read = (path: string) => readFileSync(join(DEPLOY, path), "utf8");
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

type Service = {
  image?: string; build?: { context: string; dockerfile: string }; command?: string[]; environment?: Record<string, string>;
  volumes?: string[]; ports?: string[]; depends_on?: Record<string, { condition: string }> | string[]; healthcheck?: { test: string[] };
};
const compose = parse(read("compose.yaml")) as { name: string; services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const gateway = services.gateway!;

/** The values deploy/.env.example sets: what `docker compose` would substitute. */
const dotenv = Object.fromEntries(read(".env.example").split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
/** Compose's own ${VAR}, ${VAR:-default}, ${VAR:?message} substitution. */
const substitute = (value: string) => value.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, kind?: string, rest?: string) => dotenv[name] || (kind === "-" ? rest ?? "" : ""));
/** Host path → container path of a service's bind mounts. */
const mounts = (s: Service) => Object.fromEntries((s.volumes ?? []).filter((v) => v.startsWith("./")).map((v) => v.split(":").slice(0, 2) as [string, string]));

const tmp = mkdtempSync(join(tmpdir(), "liaison-deploy-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("compose.yaml", () => {
  it("has the gateway, PostgreSQL, Redis, Prometheus and Grafana", () => {
    expect(compose.name).toBe("liaison");
    expect(Object.keys(services).sort()).toEqual(["gateway", "grafana", "postgres", "prometheus", "redis"]);
    expect(Object.keys(compose.volumes).sort()).toEqual(["gateway-data", "grafana-data", "postgres-data", "prometheus-data"]);
  });

  it("builds the gateway from the repository's Dockerfile and starts it with the mounted config", () => {
    expect(gateway.build).toEqual({ context: "..", dockerfile: "Dockerfile" });
    expect(existsSync(join(DEPLOY, "..", "Dockerfile"))).toBe(true);
    expect(gateway.command).toEqual(["serve", "--config", "/etc/liaison/liaison.yaml", "--host", "0.0.0.0", "--port", "4000"]);
    expect(mounts(gateway)).toEqual({ "./compose/liaison": "/etc/liaison" });
    expect(gateway.volumes).toContain("gateway-data:/data");
    expect(gateway.ports).toEqual(["${LIAISON_PORT:-4000}:4000"]);
  });

  it("starts the gateway once PostgreSQL and Redis are healthy", () => {
    expect(gateway.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
    expect(services.postgres!.healthcheck!.test.join(" ")).toContain("pg_isready");
    expect(services.redis!.healthcheck!.test).toEqual(["CMD", "redis-cli", "ping"]);
  });

  it("every bind-mounted path exists; every variable has a default, or is required and in .env.example", () => {
    for (const s of Object.values(services)) for (const host of Object.keys(mounts(s))) expect(existsSync(join(DEPLOY, host)), host).toBe(true);
    const text = read("compose.yaml");
    for (const [, name, kind] of text.matchAll(/\$\{([A-Z_]+)(?::([-?]))?/g)) {
      expect(kind, `\${${name}} has neither a default nor a message`).toBeDefined();
      expect(Object.keys(dotenv), `${name} in .env.example`).toContain(name);
    }
    expect(gateway.environment!.LIAISON_ADMIN_KEY).toMatch(/^\$\{LIAISON_ADMIN_KEY:\?/);
  });

  it("docker-compose config accepts it (Debian's docker-compose 1.x, without the newer top-level name:)", { skip: !has("docker-compose") }, () => {
    // The file as written (re-serialising would unquote "no", which YAML 1.1 reads as false), less its name: line.
    const file = join(tmp, "compose.yaml");
    writeFileSync(file, read("compose.yaml").replace(/^name: .*\n/m, ""));
    const r = spawnSync("docker-compose", ["--project-directory", DEPLOY, "-f", file, "config", "-q"], { env: { ...process.env, ...dotenv }, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("the gateway's config (compose/liaison)", () => {
  /** The gateway container's environment, as compose fills it from .env.example. */
  const env = Object.fromEntries(Object.entries(gateway.environment!).map(([k, v]) => [k, substitute(v)]));

  it("is valid for the gateway itself, its provider list included", () => {
    const config = loadConfigFile(join(DEPLOY, "compose/liaison/liaison.yaml"), env);
    expect(config.server).toMatchObject({ host: "0.0.0.0", port: 4000 });
    expect(config.admin_key).toBe(dotenv.LIAISON_ADMIN_KEY);
    expect(Object.keys(config.providers).sort()).toEqual(["anthropic", "mock", "openai"]);
    expect(config.providers.openai).toMatchObject({ base_url: "https://api.openai.com/v1" });
    expect(Object.keys(config.models).sort()).toEqual(["demo", "smart"]);
    // Less than compose's stop_grace_period, so SIGTERM drains before the SIGKILL.
    expect(config.server.shutdown_timeout_ms).toBeLessThan(30_000);
  });

  it("reaches PostgreSQL and Redis by their service names, with the database's own credentials", () => {
    const config = loadConfigFile(join(DEPLOY, "compose/liaison/liaison.yaml"), env);
    const pg = services.postgres!.environment!;
    const url = new URL(config.storage.url);
    expect(url.protocol).toBe("postgres:");
    expect(url.host).toBe("postgres:5432");
    expect(url.username).toBe(pg.POSTGRES_USER);
    expect(url.password).toBe(substitute(pg.POSTGRES_PASSWORD!));
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(config.redis!.url).toBe("redis://redis:6379");
    expect(config.logging.spool_dir.startsWith("/data/")).toBe(true);
  });

  it("every ${VAR} it reads is set in the gateway's environment", () => {
    const lines = read("compose/liaison/liaison.yaml").split("\n").filter((l) => !l.trimStart().startsWith("#"));
    const used = [...lines.join("\n").matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(Object.keys(gateway.environment!)).toContain(name);
    const keys = [...read("compose/liaison/providers.csv").matchAll(/,([A-Z_]+_API_KEY),/g)].map((m) => m[1]);
    expect(keys.sort()).toEqual(["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]);
    for (const name of keys) expect(Object.keys(gateway.environment!)).toContain(name);
  });
});

describe("Prometheus", () => {
  const config = parse(read("compose/prometheus/prometheus.yml")) as { scrape_configs: { job_name: string; metrics_path: string; dns_sd_configs: { names: string[]; port: number }[] }[] };

  it("scrapes every gateway container's /metrics", () => {
    expect(mounts(services.prometheus!)).toEqual({ "./compose/prometheus/prometheus.yml": "/etc/prometheus/prometheus.yml" });
    const job = config.scrape_configs.find((j) => j.job_name === "liaison")!;
    expect(job.metrics_path).toBe("/metrics");
    expect(job.dns_sd_configs).toEqual([expect.objectContaining({ names: ["gateway"], type: "A", port: 4000 })]);
  });

  it("promtool check config accepts the file", { skip: !has("promtool") }, () => {
    const r = spawnSync("promtool", ["check", "config", join(DEPLOY, "compose/prometheus/prometheus.yml")], { encoding: "utf8" });
    expect(r.status, r.stderr + r.stdout).toBe(0);
  });
});

describe("Grafana", () => {
  const datasource = parse(read("compose/grafana/provisioning/datasources/prometheus.yaml")) as { datasources: { uid: string; type: string; url: string; isDefault: boolean }[] };
  const provider = parse(read("compose/grafana/provisioning/dashboards/liaison.yaml")) as { providers: { type: string; options: { path: string } }[] };
  const dashboard = JSON.parse(read("compose/grafana/dashboards/liaison.json")) as {
    uid: string; templating: { list: { name: string; type: string; query: string }[] };
    panels: { id: number; type: string; title: string; datasource?: { uid: string }; targets?: { expr: string; refId: string; datasource: { uid: string } }[] }[];
  };
  const graphs = dashboard.panels.filter((p) => p.type !== "row");

  it("provisions the Prometheus datasource and the dashboard folder it mounts", () => {
    expect(mounts(services.grafana!)).toEqual({
      "./compose/grafana/provisioning": "/etc/grafana/provisioning",
      "./compose/grafana/dashboards": "/etc/grafana/dashboards",
    });
    expect(datasource.datasources).toEqual([expect.objectContaining({ uid: "prometheus", type: "prometheus", url: "http://prometheus:9090", isDefault: true })]);
    expect(provider.providers).toEqual([expect.objectContaining({ type: "file", options: { path: "/etc/grafana/dashboards" } })]);
    expect(services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe("/etc/grafana/dashboards/liaison.json");
  });

  it("the dashboard: unique panel ids, every query on the datasource variable", () => {
    expect(dashboard.uid).toBe("liaison-gateway");
    expect(dashboard.templating.list).toEqual([expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" })]);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(graphs.length).toBeGreaterThanOrEqual(20);
    for (const p of graphs) {
      expect(p.datasource?.uid, p.title).toBe("${datasource}");
      expect(p.targets!.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.datasource.uid).toBe("${datasource}");
    }
  });

  it("uses only metrics and labels the gateway really exports (src/telemetry/metrics.ts)", async () => {
    const registry = new Metrics().registry;
    const exported = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    const exprs = graphs.flatMap((p) => p.targets!.map((t) => t.expr));
    const used = new Set<string>();
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\b(liaison_[a-z0-9_]+)/g)].map((m) => m[1]!);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const full of names) {
        const bucket = full.endsWith("_bucket");
        const name = bucket ? full.slice(0, -"_bucket".length) : full;
        expect(exported.has(name), `${full} in ${expr}`).toBe(true);
        if (bucket) expect(exported.get(name), full).toBe("histogram");
        used.add(name);
      }
      // Labels grouped by or matched on belong to the metric (le for histograms; instance and job come from Prometheus).
      const labels = new Set(names.flatMap((n) => [...((registry.getSingleMetric(n.replace(/_bucket$/, "")) as unknown as { labelNames?: string[] })?.labelNames ?? [])]));
      const wanted = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(",").map((s) => s.trim()))
        .concat([...expr.matchAll(/\{([a-z_]+)[!=~]/g)].map((m) => m[1]!));
      for (const label of wanted) expect(["le", "instance", "job"].includes(label) || labels.has(label), `label ${label} in ${expr}`).toBe(true);
      for (const [, legend] of [...expr.matchAll(/\{\{(\w+)\}\}/g)]) expect(labels.has(legend!) || legend === "instance").toBe(true);
    }
    // The headline metrics are all on it.
    for (const name of ["liaison_requests_total", "liaison_request_duration_seconds", "liaison_time_to_first_token_seconds", "liaison_upstream_attempts_total",
      "liaison_upstream_errors_total", "liaison_retries_total", "liaison_circuit_state", "liaison_tokens_total", "liaison_cost_usd_total",
      "liaison_cache_requests_total", "liaison_log_queue_depth", "liaison_log_rows_dropped_total", "liaison_internal_errors_total"]) expect(used.has(name), name).toBe(true);
  });

  it("every query is valid PromQL (promtool check rules, Grafana's $__rate_interval as 5m)", { skip: !has("promtool") }, () => {
    const exprs = graphs.flatMap((p) => p.targets!.map((t) => t.expr.replaceAll("$__rate_interval", "5m")));
    const file = join(tmp, "dashboard-rules.yaml");
    writeFileSync(file, stringify({ groups: [{ name: "dashboard", rules: exprs.map((expr, i) => ({ record: `liaison:dashboard_query_${i}`, expr })) }] }));
    const r = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});
