import { asyncLocalStorage } from '@temporalio/activity';

/**
 * Heartbeats and cancellation when running inside a Temporal activity; harmless no-ops when the
 * same code is called directly (tests, scripts).
 */
export function heartbeat(details: unknown): void {
  asyncLocalStorage.getStore()?.heartbeat(details);
}

/** The activity's cancellation signal, or one that never fires outside an activity. */
export function cancellationSignal(): AbortSignal {
  return asyncLocalStorage.getStore()?.cancellationSignal ?? new AbortController().signal;
}

/** The longest the activities go between heartbeats (waitFor beats every 2 s). */
export const HEARTBEAT_EVERY_MS = 3_000;

/**
 * Heartbeats every few seconds while `work` runs, for calls that report no progress of their own
 * (an istioctl render, an exec): the activity's heartbeat timeout then only trips on a dead worker.
 */
export async function heartbeatWhile<T>(details: unknown, work: Promise<T>, everyMs = HEARTBEAT_EVERY_MS): Promise<T> {
  heartbeat(details);
  const timer = setInterval(() => heartbeat(details), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** The Temporal activity logger (adds workflow and activity ids to every line) when inside an activity. */
export function activityLog(): { info(message: string, meta?: Record<string, unknown>): void; warn(message: string, meta?: Record<string, unknown>): void } | undefined {
  return asyncLocalStorage.getStore()?.log;
}
