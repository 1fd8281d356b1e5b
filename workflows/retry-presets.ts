import { NON_RETRYABLE_KUBE_FAILURES } from '../common/failure-types';
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { type Duration, msToNumber } from '@temporalio/common/lib/time';
import { formatDuration } from '../common/checklist';
import type { SetupStepId } from '../common/steps';

/**
 * How one group of steps is run and retried. The workflow drives the retries itself (each attempt
 * is one activity execution with `maximumAttempts: 1`), so the status query and the run's Slack
 * message show "running (attempt n)" and the last error between attempts; see docs/workflows.md.
 */
export interface StepPreset {
  /** Options of one attempt. */
  activity: ActivityOptions & { startToCloseTimeout: Duration };
  /** Temporal's retry policy fields, applied by withRetries, plus an overall bound. */
  retry: Required<Pick<RetryPolicy, 'initialInterval' | 'backoffCoefficient' | 'maximumInterval' | 'maximumAttempts'>> & {
    /**
     * All attempts and the waits between them end within this: an attempt that could not finish
     * inside it (its start-to-close after the backoff) is not started. What scheduleToCloseTimeout
     * is to a server-side retry.
     */
    maximumElapsed?: Duration;
  };
}

/** ApplicationFailure types that a retry cannot fix; activities may also use ApplicationFailure.nonRetryable. */
export const NON_RETRYABLE_ERROR_TYPES: readonly string[] = [...NON_RETRYABLE_KUBE_FAILURES, 'ValidationError', 'InvalidSpec'];

const oneAttempt = { maximumAttempts: 1 } as const;

/** Read-only calls that answer in seconds (preflight). */
export const QUICK_READ: StepPreset = {
  activity: { startToCloseTimeout: '2 minutes', retry: oneAttempt },
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s', maximumAttempts: 5 },
};

// Heartbeat timeouts are short so that a dead worker is noticed within 10–20 s. A cancel reaches an
// activity with its next heartbeat, which the worker holds back at most HEARTBEAT_THROTTLE
// (worker/worker-options.ts, 2 s); each timeout leaves a margin over that throttle plus the
// activities' own heartbeat cadence (test/workflows/timeouts.test.ts).

/** Server-side applies of many objects; idempotent, so a retry re-applies safely. */
export const INSTALL: StepPreset = {
  activity: { startToCloseTimeout: '10 minutes', heartbeatTimeout: '20 seconds', retry: oneAttempt, cancellationType: 'WAIT_CANCELLATION_COMPLETED' },
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
};

/** Waiting for pods, load balancers, readiness: long, heartbeating, noticed quickly when a worker dies. */
export const WAIT: StepPreset = {
  activity: { startToCloseTimeout: '20 minutes', heartbeatTimeout: '10 seconds', retry: oneAttempt, cancellationType: 'WAIT_CANCELLATION_COMPLETED' },
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 3 },
};

/** verify-split: a burst of calls through the mesh; a failed verdict is not retried, an error is. */
export const VERIFY: StepPreset = {
  activity: { startToCloseTimeout: '5 minutes', heartbeatTimeout: '10 seconds', retry: oneAttempt, cancellationType: 'WAIT_CANCELLATION_COMPLETED' },
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3 },
};

/**
 * cleanupStep, for rollback and teardown: idempotent deletes, retried longer because they must
 * finish, but not for ever. Its kube waits share one budget of DEFAULT_STEP_TIMEOUTS.deleteMs (5 min,
 * activities/istio/steps/cleanup.ts); the start-to-close leaves 10 min more for istioctl renders
 * and API calls. Two attempts that time out fit in maximumElapsed, a third does not.
 */
export const CLEANUP: StepPreset = {
  // A cancelled teardown ends only once its cleanup has stopped: until then the pair's id stays taken.
  activity: { startToCloseTimeout: '15 minutes', heartbeatTimeout: '20 seconds', retry: oneAttempt, cancellationType: 'WAIT_CANCELLATION_COMPLETED' },
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8, maximumElapsed: '45 minutes' },
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
  const { initialInterval, backoffCoefficient, maximumInterval } = preset.retry;
  return Math.min(msToNumber(initialInterval) * backoffCoefficient ** (attempt - 1), msToNumber(maximumInterval));
}

/**
 * What follows a failed, retryable attempt `attempt` that ended `elapsedMs` after the first one
 * began: the next after `delayMs`, or giving up, saying why.
 */
export function nextAttempt(
  preset: StepPreset,
  attempt: number,
  elapsedMs: number,
): { delayMs: number } | { giveUp: string; bound: 'attempts' | 'elapsed' } {
  const { maximumAttempts, maximumElapsed } = preset.retry;
  if (attempt >= maximumAttempts) return { giveUp: `gave up after ${attempt} attempts`, bound: 'attempts' };
  const delayMs = backoffMs(preset, attempt);
  if (maximumElapsed !== undefined && elapsedMs + delayMs + msToNumber(preset.activity.startToCloseTimeout) > msToNumber(maximumElapsed)) {
    return {
      bound: 'elapsed',
      giveUp:
        `gave up after ${attempt} attempts in ${formatDuration(elapsedMs)}: another could not finish within the ${String(maximumElapsed)} bound ` +
        `(${formatDuration(delayMs)} backoff, then up to ${String(preset.activity.startToCloseTimeout)})`,
    };
  }
  return { delayMs };
}
