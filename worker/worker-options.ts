import type { WorkerOptions } from '@temporalio/worker';

/**
 * How long running activities may finish after SIGINT/SIGTERM before they are cancelled. Whatever
 * stops the process must wait longer (docker-compose.yml's stop_grace_period is 30 s).
 */
export const SHUTDOWN_GRACE_TIME = '10s';

/**
 * The most a heartbeat waits in the worker before it goes to the server. Heartbeats are how a
 * cancel reaches an activity, so this bounds how late a cancelled step notices (the SDK's default,
 * 80% of the heartbeat timeout capped at 60 s, let a cancel wait 8–16 s). Every heartbeat timeout
 * in workflows/retry-presets.ts leaves a margin over it (test/workflows/timeouts.test.ts).
 */
export const HEARTBEAT_THROTTLE = '2s';

/** The Temporal settings of every meshops worker: production's (run-worker.ts) and the tests' (test/harness). */
export const MESH_WORKER_OPTIONS = {
  shutdownGraceTime: SHUTDOWN_GRACE_TIME,
  maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
  // For activities without a heartbeat timeout (QUICK_READ): the same bound.
  defaultHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
} as const satisfies Partial<WorkerOptions>;
