/**
 * The Helm chart (deploy/helm/liaison), checked structurally: helm is not
 * installable here (not in Debian, no other registry reachable), so the
 * chart is not rendered by Helm. What is checked instead: every value a
 * template reads exists in values.yaml, every named template it includes
 * is defined, its actions are balanced, the YAML skeleton of each template
 * (actions replaced by a placeholder) parses into the expected objects,
 * and the gateway config the chart ships validates with the gateway's own
 * loader, its ${VAR}s all supplied by the Secret references.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateConfig } from "../../src/config/load.js";
import { interpolate } from "../../src/config/interpolate.js";
import { parseProvidersCsv } from "../../src/config/providers-csv.js";

const CHART = new URL("../../deploy/helm/liaison/", import.meta.url).pathname;
const read = (path: string) => readFileSync(join(CHART, path), "utf8");
const templates = Object.fromEntries(readdirSync(join(CHART, "templates")).map((f) => [f, read(`templates/${f}`)]));
const manifests = Object.keys(templates).filter((f) => f.endsWith(".yaml"));
const values = parse(read("values.yaml")) as Record<string, unknown> & {
  config: Record<string, unknown> & { server: { port: number } };
  secretEnv: { secretName: string; vars: { name: string; key: string; optional?: boolean }[] };
  readinessProbe: { path: string }; livenessProbe: { path: string }; autoscaling: { enabled: boolean };
};

/** Every `{{ … }}` action of a template. */
const actions = (text: string) => [...text.matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => m[1]!);

/**
 * The template's YAML skeleton: lines that are only an action dropped,
 * other actions replaced by a placeholder. Good enough to catch bad
 * indentation and structure, not a rendering.
 */
function skeleton(text: string): Record<string, unknown> {
  const lines = text.split("\n").filter((l) => !/^\s*\{\{-?[\s\S]*?-?\}\}\s*$/.test(l));
  return parse(lines.join("\n").replace(/\{\{-?[\s\S]*?-?\}\}/g, "HELM")) as Record<string, unknown>;
}

describe("Chart.yaml and values.yaml", () => {
  it("a v2 application chart whose appVersion is the gateway's version", () => {
    const chart = parse(read("Chart.yaml")) as Record<string, string>;
    expect(chart).toMatchObject({ apiVersion: "v2", name: "liaison", type: "application" });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.appVersion).toBe(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  });

  it("the probes are /ready (readiness) and /health (liveness); autoscaling is off by default", () => {
    expect(values.readinessProbe.path).toBe("/ready");
    expect(values.livenessProbe.path).toBe("/health");
    expect(values.autoscaling.enabled).toBe(false);
  });

  it("the shipped config is valid for the gateway, every ${VAR} in it supplied by a Secret reference", () => {
    const env = Object.fromEntries(values.secretEnv.vars.map((v) => [v.name, v.name === "DATABASE_URL" ? "postgres://u:p@db/liaison" : v.name === "REDIS_URL" ? "redis://redis:6379" : "x"]));
    const config = validateConfig(interpolate(values.config, env), "values.yaml config");
    expect(config.server).toMatchObject({ host: "0.0.0.0", port: 4000 });
    expect(config.storage.url).toBe("postgres://u:p@db/liaison");
    const used = [...JSON.stringify(values.config).matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]);
    for (const name of used) expect(values.secretEnv.vars.map((v) => v.name)).toContain(name);
    // Secrets are referenced, never held: no value in values.yaml looks like a key.
    expect(read("values.yaml")).not.toMatch(/sk-[A-Za-z0-9]{10,}/);
  });

  it("the commented providersCsv example is a valid provider list", () => {
    const lines = read("values.yaml").split("\n");
    const from = lines.indexOf("# providersCsv: |") + 1;
    expect(from).toBeGreaterThan(0);
    const to = lines.findIndex((l, i) => i >= from && !l.startsWith("#   "));
    const example = lines.slice(from, to).map((l) => l.slice(4)).join("\n");
    const csv = parseProvidersCsv(example, "values.yaml providersCsv");
    expect(Object.keys(csv.fragment.providers)).toEqual(["openai", "anthropic"]);
    for (const env of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]) expect(values.secretEnv.vars.map((v) => v.name)).toContain(env);
  });
});

describe("templates", () => {
  it("every .Values path a template reads exists in values.yaml", () => {
    for (const [file, text] of Object.entries(templates)) {
      for (const [, path] of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
        let node: unknown = values;
        for (const key of path!.slice(1).split(".")) {
          expect(node !== null && typeof node === "object" && key in (node as object), `${file}: .Values${path}`).toBe(true);
          node = (node as Record<string, unknown>)[key];
        }
      }
    }
  });

  it("every included template is defined once, in _helpers.tpl", () => {
    const defined = [...templates["_helpers.tpl"]!.matchAll(/define "([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(defined).size).toBe(defined.length);
    for (const [file, text] of Object.entries(templates)) {
      for (const [, name] of text.matchAll(/(?:include|template) "([^"]+)"/g)) expect(defined, `${file}: ${name}`).toContain(name);
    }
  });

  it("actions are balanced: every if, range, with and define has its end", () => {
    for (const [file, text] of Object.entries(templates)) {
      expect(text.split("{{").length, `${file}: {{ vs }}`).toBe(text.split("}}").length);
      let depth = 0;
      for (const a of actions(text)) {
        if (/^(if|range|with|define|block)\b/.test(a)) depth++;
        else if (/^end\b/.test(a)) depth--;
        expect(depth, `${file}: an end without its opening`).toBeGreaterThanOrEqual(0);
      }
      expect(depth, `${file}: unclosed blocks`).toBe(0);
    }
  });

  it("each manifest's YAML skeleton parses, with the kind it should have", () => {
    const kinds = Object.fromEntries(manifests.map((f) => [f, skeleton(templates[f]!).kind]));
    expect(kinds).toEqual({
      "configmap.yaml": "ConfigMap", "deployment.yaml": "Deployment", "hpa.yaml": "HorizontalPodAutoscaler",
      "service.yaml": "Service", "serviceaccount.yaml": "ServiceAccount",
    });
  });
});

describe("the Deployment", () => {
  type Container = { args: unknown[]; ports: { name: string }[]; env: unknown[]; readinessProbe: { httpGet: { port: string } }; livenessProbe: { httpGet: { port: string } }; volumeMounts: { name: string; mountPath: string }[] };
  const text = templates["deployment.yaml"]!;
  const deployment = skeleton(text) as { spec: { template: { spec: { containers: Container[]; volumes: { name: string; configMap?: unknown }[] } } } };
  const container = deployment.spec.template.spec.containers[0]!;

  it("probes readiness on /ready and liveness on /health, on the http port", () => {
    expect(text).toMatch(/readinessProbe:\n\s+httpGet:\n\s+path: \{\{ \.Values\.readinessProbe\.path \}\}\n\s+port: http/);
    expect(text).toMatch(/livenessProbe:\n\s+httpGet:\n\s+path: \{\{ \.Values\.livenessProbe\.path \}\}\n\s+port: http/);
    expect(container.readinessProbe.httpGet.port).toBe("http");
    expect(container.livenessProbe.httpGet.port).toBe("http");
    expect(container.ports[0]!.name).toBe("http");
    expect((skeleton(templates["service.yaml"]!) as { spec: { ports: { targetPort: string }[] } }).spec.ports[0]!.targetPort).toBe("http");
  });

  it("serves the ConfigMap's config, mounted at /etc/liaison, on every interface", () => {
    expect(container.args.slice(0, 5)).toEqual(["serve", "--config", "/etc/liaison/liaison.yaml", "--host", "0.0.0.0"]);
    expect(container.volumeMounts).toEqual(expect.arrayContaining([{ name: "config", mountPath: "/etc/liaison", readOnly: true }, { name: "data", mountPath: "/data" }]));
    expect(deployment.spec.template.spec.volumes.find((v) => v.name === "config")!.configMap).toEqual({ name: "HELM" });
    // A changed config rolls the pods.
    expect(text).toContain('checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}');
  });

  it("takes keys from Secret references, one env var each", () => {
    expect(text).toMatch(/\{\{- range \.Values\.secretEnv\.vars \}\}\n\s+- name: \{\{ \.name \}\}\n\s+valueFrom:\n\s+secretKeyRef:\n\s+name: \{\{ \$\.Values\.secretEnv\.secretName \}\}\n\s+key: \{\{ \.key \}\}/);
    for (const v of values.secretEnv.vars) expect(v.name && v.key, JSON.stringify(v)).toBeTruthy();
  });

  it("leaves the replica count to the HPA when autoscaling is on; the HPA exists only then", () => {
    expect(text).toMatch(/\{\{- if not \.Values\.autoscaling\.enabled \}\}\n\s+replicas: \{\{ \.Values\.replicaCount \}\}\n\s+\{\{- end \}\}/);
    const hpa = templates["hpa.yaml"]!.trim().split("\n");
    expect(hpa[0]).toBe("{{- if .Values.autoscaling.enabled }}");
    expect(hpa.at(-1)).toBe("{{- end }}");
    expect(skeleton(templates["hpa.yaml"]!)).toMatchObject({ apiVersion: "autoscaling/v2", spec: { scaleTargetRef: { kind: "Deployment" } } });
  });

  it("the ConfigMap holds the config and, when set, the provider list beside it (read relative to the config)", () => {
    const cm = templates["configmap.yaml"]!;
    expect(cm).toContain("liaison.yaml: |");
    expect(cm).toMatch(/\{\{- with \.Values\.providersCsv \}\}\n\s+providers\.csv: \|/);
    expect(templates["_helpers.tpl"]).toContain('set $config "providers_csv" "./providers.csv"');
  });
});
