import { CancellationScope } from '@temporalio/workflow';
import type { Procedure, StepId } from '../common/steps';
import type { MeshSpec } from '../common/mesh-spec';
import type { RunStatusBook } from './run-status';
import type { ProgressNotifier } from './progress-notifier';
import { CLEANUP } from './retry-presets';
import { callCleanup } from './step-activities';
import { StepFailed, withRetries } from './step-runner';

/** What a rollback did: the steps it undid (`summary`), or why it stopped (`failed`). */
export type RollbackResult = { summary: string; failed?: undefined } | { failed: string; summary?: undefined };

/** The sentence a run's outcome ends with: exactly what was rolled back, or where rollback stopped. */
export function rollbackOutcome(result: RollbackResult): string {
  if (result.failed !== undefined) return result.failed;
  return `${result.summary.charAt(0).toUpperCase()}${result.summary.slice(1)}.`;
}

/**
 * Undoes the steps that changed a cluster, newest first, in a scope the run's cancellation cannot
 * interrupt: the ones done and, first, the one that was running when the run failed or was
 * cancelled (`interrupted`: it may have applied part of its objects; every undo is idempotent).
 * Shown as the `cleanup` line of the status.
 */
export function rollback(spec: MeshSpec, book: RunStatusBook, notifier: ProgressNotifier, procedure: Procedure, interrupted?: StepId): Promise<RollbackResult> {
  return CancellationScope.nonCancellable(async () => {
    const mutating = (s: StepId) => (procedure.mutating as readonly StepId[]).includes(s);
    const done = book.doneSteps().filter(mutating).reverse();
    const first = interrupted && mutating(interrupted) && !done.includes(interrupted) ? [interrupted] : [];
    const targets = [...first, ...done];
    book.addStep('cleanup');
    const cleaned: StepId[] = [];
    try {
      for (const step of targets) {
        await withRetries(`cleanup of ${step}`, CLEANUP, () => callCleanup(step, { spec, facts: book.facts }), {
          onAttempt: (attempt, lastError) => {
            book.running('cleanup', attempt, Date.now(), lastError);
            if (attempt === 1 && cleaned.length === 0) notifier.send('step-changed', book.snapshot(), 'cleanup');
          },
        });
        cleaned.push(step);
      }
      const named = cleaned.map((s) => (first.includes(s) ? `${s} (interrupted)` : s));
      const summary = targets.length ? `rolled back ${named.join(', ')}` : 'nothing was installed, nothing to roll back';
      book.done('cleanup', { summary }, Date.now());
      notifier.send('step-changed', book.snapshot(), 'cleanup');
      return { summary };
    } catch (err) {
      const why = err instanceof StepFailed ? err.message : (err as Error).message;
      const message = `rollback stopped at ${targets[cleaned.length]}: ${why}; cleaned up: ${cleaned.join(', ') || 'nothing'}. Run teardown to finish.`;
      book.failed('cleanup', message, Date.now());
      notifier.send('step-changed', book.snapshot(), 'cleanup');
      return { failed: message };
    }
  });
}
