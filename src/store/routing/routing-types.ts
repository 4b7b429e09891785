/**
 * The shape of the routing query behind `GET /admin/routing`: what the
 * request log says about a routed model's decisions. In a module of its
 * own, importing nothing, so that the Store contract (../types.ts) can name
 * it without importing the query code, which imports the contract back.
 */

export interface RoutingQuery {
  /** The models (the names clients ask for) to report on. */
  models: string[];
  since?: string; // ISO-8601, inclusive
  until?: string; // ISO-8601, exclusive
  /** One team's rows only. */
  team_id?: string;
  /** The newest rows kept per model (default 20, 1–100). */
  recent?: number;
}

/** Calls of a model by the target the router chose and the target that answered (provider/model; null: none). */
export interface RoutingTargetCount {
  route_target: string | null;
  served: string | null;
  calls: number;
}

export interface RoutingDecision {
  id: string;
  created_at: string;
  route_score: number | null;
  route_target: string | null;
  /** The target that answered (provider/model), null when none did. */
  served: string | null;
  status: number;
  feedback_score: number | null;
}

/** Route scores fall in ten buckets of 0.1 (a score of 1 in the last). */
export const SCORE_BUCKETS = 10;

export interface RoutingStats {
  model: string;
  targets: RoutingTargetCount[];
  /** How many calls scored in each bucket, [0, 0.1) first: always SCORE_BUCKETS long. */
  scores: number[];
  /** Calls with feedback (POST /v1/feedback) and their mean score. */
  feedback: { count: number; mean: number | null };
  /** Newest first. */
  recent: RoutingDecision[];
}
