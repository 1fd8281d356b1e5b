import { NON_RETRYABLE_KUBE_FAILURES } from '../common/failure-types';
import type { ActivityOptions } from '@temporalio/workflow';
import type { SetupStepId } from '../common/steps';

/**
 * How one group of steps is run and retried. The workflow drives the retries itself (each attempt
 * is one activity execution with `maximumAttempts: 1`), so the status query can show "running
 * (attempt n)" and the last error between attempts; the server-side equivalent is invisible to it.
 */
export interface StepPreset {
  /** Options of one attempt. */
  activity: ActivityOptions;
  retry: {
    initialIntervalMs: number;
    backoffCoefficient: number;
    maximumIntervalMs: number;
    maximumAttempts: number;
  };
}

/** ApplicationFailure types that a retry cannot fix; activities may also use ApplicationFailure.nonRetryable. */
export const NON_RETRYABLE_ERROR_TYPES: readonly string[] = [...NON_RETRYABLE_KUBE_FAILURES, 'ValidationError', 'InvalidSpec'];

const oneAttempt = { maximumAttempts: 1 } as const;

/** Read-only calls that answer in seconds (preflight). */
export const QUICK_READ: StepPreset = {
  activity: { startToCloseTimeout: '2 minutes', retry: oneAttempt },
  retry: { initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 15_000, maximumAttempts: 5 },
};

// Heartbeat timeouts are short because heartbeats are also how a cancel reaches an activity: the
// SDK throttles heartbeats to 80% of the timeout, so a 10s timeout means a cancel lands within ~8s
// and a dead worker is noticed within 10s.

/** Server-side applies of many objects; idempotent, so a retry re-applies safely. */
export const INSTALL: StepPreset = {
  activity: { startToCloseTimeout: '10 minutes', heartbeatTimeout: '20 seconds', retry: oneAttempt, cancellationType: 'WAIT_CANCELLATION_COMPLETED' },
  retry: { initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5 },
};

/** Waiting for pods, load balancers, readiness: long, heartbeating, noticed quickly when a worker dies. */
export const WAIT: StepPreset = {
  activity: { startToCloseTimeout: '20 minutes', heartbeatTimeout: '10 seconds', retry: oneAttempt, cancellationType: 'WAIT_CANCELLATION_COMPLETED' },
  retry: { initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 3 },
};

/** verify-split: a burst of calls through the mesh; a failed verdict is not retried, an error is. */
export const VERIFY: StepPreset = {
  activity: { startToCloseTimeout: '5 minutes', heartbeatTimeout: '10 seconds', retry: oneAttempt, cancellationType: 'WAIT_CANCELLATION_COMPLETED' },
  retry: { initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 3 },
};

/** cleanupStep, for rollback and teardown: idempotent deletes, retried longer because they must finish. */
export const CLEANUP: StepPreset = {
  activity: { startToCloseTimeout: '10 minutes', heartbeatTimeout: '20 seconds', retry: oneAttempt },
  retry: { initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 8 },
};

/** The notifier: short, a few server-side retries, and its failures never fail a run. */
export const NOTIFY: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
};

export const STEP_PRESET: Record<SetupStepId, StepPreset> = {
  preflight: QUICK_READ,
  'install-local': INSTALL,
  'wait-local': WAIT,
  'install-remote': INSTALL,
  'wait-remote': WAIT,
  'patch-gateway': WAIT,
  'link-secret': INSTALL,
  'deploy-samples': WAIT,
  'verify-split': VERIFY,
};

/** Delay before attempt `attempt + 1`, Temporal's exponential backoff. */
export function backoffMs(preset: StepPreset, attempt: number): number {
  const { initialIntervalMs, backoffCoefficient, maximumIntervalMs } = preset.retry;
  return Math.min(initialIntervalMs * backoffCoefficient ** (attempt - 1), maximumIntervalMs);
}
