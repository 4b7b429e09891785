/**
 * What a signed-in key may see: the pages of the navigation, from its role
 * (docs/keys-and-budgets.md, "Roles") and the features the gateway serves
 * (GET /admin/me). The API refuses what a role may not do either way; this
 * only keeps the dashboard from offering it.
 */

export type Role = "admin" | "manager" | "member" | "viewer";

export interface Me {
  key_id: string | null;
  name: string;
  role: Role;
  team_id: string | null;
  open?: boolean;
  features?: string[];
}

export const PAGES = ["overview", "logs", "keys", "teams", "providers", "usage", "playground", "workflows", "prompts", "routing"] as const;
export type PageId = (typeof PAGES)[number];

export const PAGE_TITLES: Record<PageId, string> = {
  overview: "Overview",
  logs: "Logs",
  keys: "Keys",
  teams: "Teams",
  providers: "Providers",
  usage: "Usage",
  playground: "Playground",
  workflows: "Workflows",
  prompts: "Prompts",
  routing: "Routing",
};

const READS_LOGS: readonly Role[] = ["admin", "manager", "viewer"];
const CALLS: readonly Role[] = ["admin", "manager", "member"];

/** Pages that need a feature the gateway may not serve. */
const NEEDS: Partial<Record<PageId, string>> = { keys: "keys", teams: "keys", workflows: "workflows", prompts: "prompts", routing: "routing" };

/** Pages this key may use, in navigation order. Pages without a built view (`built`) are left out. */
export function visiblePages(me: Me, built: readonly PageId[] = PAGES): PageId[] {
  const features = new Set(me.features ?? []);
  const byRole: Record<PageId, boolean> = {
    overview: READS_LOGS.includes(me.role),
    logs: READS_LOGS.includes(me.role),
    usage: READS_LOGS.includes(me.role),
    keys: me.role === "admin" || me.role === "manager",
    teams: me.role === "admin" || me.role === "manager",
    providers: me.role !== "member",
    playground: CALLS.includes(me.role),
    // Workflows are /v1 routes: listing and running them is a model call.
    workflows: CALLS.includes(me.role),
    prompts: CALLS.includes(me.role),
    routing: READS_LOGS.includes(me.role),
  };
  return PAGES.filter((p) => byRole[p] && built.includes(p) && (NEEDS[p] === undefined || features.has(NEEDS[p]!)));
}

/** Whether the key may change keys (create, edit, revoke) — admins everywhere, managers in their team. */
export const managesKeys = (me: Me): boolean => me.role === "admin" || me.role === "manager";
/** Writing prompts and moving their labels: admins and managers (DESIGN.md §7, "Prompt registry"). */
export const writesPrompts = (me: Me): boolean => me.role === "admin" || me.role === "manager";
/** Only admins create and edit teams. */
export const managesTeams = (me: Me): boolean => me.role === "admin";
