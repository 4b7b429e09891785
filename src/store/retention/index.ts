export { DEFAULT_RETENTION_BATCH, type LogRetention, type RetentionOptions, type StripOptions } from "./types.js";
export { deleteOlderThan, sqlRetention, stripBodiesOlderThan } from "./sql-retention.js";
export { memoryRetention } from "./memory-retention.js";
export { RETENTION_JOB_DEFAULTS, RetentionJob, type RetentionJobOptions, type RetentionResult } from "./retention-job.js";
