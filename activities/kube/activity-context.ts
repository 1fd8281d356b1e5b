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
