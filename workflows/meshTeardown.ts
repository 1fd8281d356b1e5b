import { setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { SETUP_STEPS, STEP_CATALOGUE } from '../common/steps';
import type { MeshStatus, RunPhase } from '../common/status';
import { statusQuery } from './messages';
import { ProgressNotifier } from './progress-notifier';
import { CLEANUP } from './retry-presets';
import { parseRunInput, type MeshRunInput } from './run-input';
import { RunStatusBook } from './run-status';
import { callCleanup } from './step-activities';
import { StepFailed, runCancelled, withRetries } from './step-runner';

/** Every step that changes a cluster, newest first: the seed's cleanup section. */
export const TEARDOWN_STEPS = SETUP_STEPS.filter((s) => !STEP_CATALOGUE[s].readOnly).reverse();

/**
 * The seed's full cleanup: cleanupStep for every step that changes a cluster, in reverse order.
 * Each step line of the status means "cleanup of that step". cleanupStep is idempotent, so a
 * teardown of a half-installed mesh, or a second teardown, is safe.
 */
export async function meshTeardown(input: MeshRunInput): Promise<MeshStatus> {
  const { spec, requester } = parseRunInput(input, 'meshTeardown');
  const book = new RunStatusBook({ workflowId: workflowInfo().workflowId, kind: 'teardown', requester, spec, steps: TEARDOWN_STEPS, now: Date.now() });
  const notifier = new ProgressNotifier();
  setHandler(statusQuery, () => book.snapshot());

  const end = async (phase: RunPhase, outcome: string, skipped: string): Promise<MeshStatus> => {
    book.finish(phase, outcome, Date.now(), skipped);
    upsertMemo({ phase });
    notifier.send('finished', book.snapshot());
    await notifier.flush();
    return book.snapshot();
  };

  notifier.send('started', book.snapshot());
  let current: (typeof TEARDOWN_STEPS)[number] | undefined;
  try {
    for (const step of TEARDOWN_STEPS) {
      current = step;
      const outcome = await withRetries(`cleanup of ${step}`, CLEANUP, () => callCleanup(step, { spec, facts: {} }), {
        onAttempt: (attempt, lastError) => {
          book.running(step, attempt, Date.now(), lastError);
          notifier.send('step-changed', book.snapshot(), step);
        },
      });
      book.done(step, outcome, Date.now());
      notifier.send('step-changed', book.snapshot(), step);
    }
    return await end('done', `Removed the mesh between ${spec.local.context} and ${spec.remote.context}.`, 'not needed');
  } catch (err) {
    if (runCancelled(err)) {
      if (current) book.failed(current, 'stopped: the teardown was cancelled', Date.now());
      await end('cancelled', `Teardown cancelled during cleanup of ${current}; ${book.doneSummary()}. Run teardown again to finish.`, 'the teardown was cancelled');
      throw err;
    }
    if (err instanceof StepFailed && current) {
      book.failed(current, err.message, Date.now());
      return await end('failed', `Cleanup of ${current} failed: ${err.message}; ${book.doneSummary()}. Fix the cause and run teardown again.`, `cleanup of ${current} failed`);
    }
    throw err;
  }
}
