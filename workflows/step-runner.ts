import { ActivityFailure, ApplicationFailure, CancellationScope, TimeoutFailure, isCancellation, patched, sleep } from '@temporalio/workflow';
import { NON_RETRYABLE_ERROR_TYPES, backoffMs, nextAttempt, type StepPreset } from './retry-presets';

/** A step that will not succeed by retrying; `message` is the activity's own. */
export class StepFailed extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepFailed';
  }
}

/** The message a person should read for an attempt's failure. */
export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof TimeoutFailure) return `timed out (${String(cause.timeoutType).replace(/^TIMEOUT_TYPE_/, '').toLowerCase().replace(/_/g, '-')})`;
  return cause instanceof Error ? cause.message : String(cause);
}

function isNonRetryable(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && (cause.nonRetryable || NON_RETRYABLE_ERROR_TYPES.includes(cause.type ?? ''));
}

/** True when the run itself was cancelled, as opposed to one attempt being stopped (e.g. by a worker shutdown). */
export function runCancelled(err: unknown): boolean {
  return isCancellation(err) && CancellationScope.current().consideredCancelled;
}

export interface AttemptHooks {
  /** Called before each attempt; `lastError` is why the previous one failed. */
  onAttempt(attempt: number, lastError?: string): void;
}

/**
 * Runs `attempt` until it succeeds, fails non-retryably, or the preset's attempts or overall time
 * (`maximumElapsed`) are spent; waits the preset's backoff between attempts. Cancellation of the
 * run propagates unchanged.
 */
export async function withRetries<T>(step: string, preset: StepPreset, attempt: () => Promise<T>, hooks: AttemptHooks): Promise<T> {
  const startedMs = Date.now();
  let lastError: string | undefined;
  for (let n = 1; ; n++) {
    hooks.onAttempt(n, lastError);
    try {
      return await attempt();
    } catch (err) {
      if (runCancelled(err)) throw err;
      lastError = failureMessage(err);
      if (isNonRetryable(err)) throw new StepFailed(step, lastError);
      const next = nextAttempt(preset, n, Date.now() - startedMs);
      // Runs recorded before the overall bound retried on: patched() keeps their replay as it was.
      if ('giveUp' in next && (next.bound === 'attempts' || patched('retry-overall-bound'))) throw new StepFailed(step, `${lastError} (${next.giveUp})`);
      await sleep(backoffMs(preset, n));
    }
  }
}
