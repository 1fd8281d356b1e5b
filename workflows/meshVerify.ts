import { log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MeshStatus, RunPhase } from '../common/status';
import type { ActiveMutatingRun } from '../common/step-contract';
import { refuseApprovals } from './await-approval';
import { statusQuery } from './messages';
import { ProgressNotifier } from './progress-notifier';
import { STEP_PRESET } from './retry-presets';
import type { MeshRunInput } from './run-input';
import { startRun } from './run-start';
import { indexRun, typedSearchAttributes } from './run-index';
import { mutatingRunOf } from './pair-guard';
import { RunStatusBook } from './run-status';
import { callStep } from './step-activities';
import { StepFailed, withRetries } from './step-runner';

/**
 * verify-split alone, for schedules that re-check a mesh. A failed verdict is drift: the run ends
 * `failed` with the verdict's reason, and the notifier's `finished` event carries it to the channel.
 */
export async function meshVerify(input: MeshRunInput): Promise<MeshStatus> {
  const { spec, requester, cancellation, patches } = await startRun(input, 'meshVerify', 'verify', () => ({
    typed: typedSearchAttributes(),
    // A setup or teardown of the pair changes it on purpose: what a verify finds meanwhile is not drift.
    yieldsToMutatingRuns: patched('verify-yields-to-mutating-runs'),
    // Decided here too, except in runs from before: they decided it after their first notification.
    stepEvents: patched('verify-decides-patches-first') ? patched('verify-step-events') : undefined,
  }));
  const recordPhase = indexRun(spec, requester, patches.typed);
  const step = 'verify-split';
  const { workflowId, runId } = workflowInfo();
  const book = new RunStatusBook({ workflowId, runId, kind: 'verify', requester, spec, steps: [step], now: Date.now() });
  const notifier = new ProgressNotifier();
  setHandler(statusQuery, () => book.snapshot());
  refuseApprovals(`Verify run ${workflowId} has no approval gates: a verify never changes a cluster. There is nothing to approve.`);
  cancellation.attach(book, { rollbackBySpec: false, canRollBack: false });

  const end = async (phase: RunPhase, outcome: string): Promise<MeshStatus> => {
    book.finish(phase, outcome, Date.now(), 'not needed');
    recordPhase(phase);
    notifier.send('finished', book.snapshot());
    await notifier.flush();
    return book.snapshot();
  };

  const mutatingRun = async (): Promise<ActiveMutatingRun | undefined> => {
    if (!patches.yieldsToMutatingRuns) return undefined;
    try {
      return await cancellation.scope.run(() => mutatingRunOf(spec));
    } catch (err) {
      if (cancellation.caught(err)) throw err;
      // Temporal could not say: judge the pair as before this check existed, rather than not at all.
      log.warn('could not check for a setup or teardown of the pair; judging it anyway', { error: (err as Error).message });
      return undefined;
    }
  };
  const notJudged = (run: ActiveMutatingRun) => {
    book.skip(step, `mesh ${run.kind} ${run.workflowId} was changing the pair`);
    return end('skipped', `Not judged: mesh ${run.kind} ${run.workflowId} is changing ${spec.local.context} and ${spec.remote.context}; the next verify judges the pair again.`);
  };

  notifier.send('started', book.snapshot());
  // Runs started before verify reported its step changes replay without them.
  const stepEvents = patches.stepEvents ?? patched('verify-step-events');
  try {
    const before = await mutatingRun();
    if (before) return await notJudged(before);
    const outcome = await cancellation.scope.run(() =>
      withRetries(step, STEP_PRESET[step], () => callStep(step, { spec, facts: {} }), {
        onAttempt: (attempt, lastError) => {
          book.running(step, attempt, Date.now(), lastError);
          if (stepEvents) notifier.send('step-changed', book.snapshot(), step);
        },
      }),
    );
    book.done(step, outcome, Date.now());
    if (stepEvents) notifier.send('step-changed', book.snapshot(), step);
    cancellation.checkpoint();
    if (outcome.verify && !outcome.verify.passed) {
      const during = await mutatingRun();
      if (during) return await notJudged(during);
      book.failed(step, outcome.verify.reason, Date.now());
      return await end('failed', `Drift between ${spec.local.context} and ${spec.remote.context}: ${outcome.verify.reason}`);
    }
    return await end('done', `The split holds: ${outcome.summary}`);
  } catch (err) {
    if (cancellation.caught(err)) {
      const { by } = cancellation.settle(Date.now());
      if (book.stateOf(step)?.state === 'running') book.failed(step, 'stopped: the verification was cancelled', Date.now());
      await end('cancelled', `Verification cancelled${by ? ` by ${by.id}` : ''}.`);
      throw cancellation.failure(err);
    }
    if (err instanceof StepFailed) {
      // A cancel arriving now does not stop the run from saying why it failed.
      const during = await mutatingRun().catch(() => undefined);
      if (during) return await notJudged(during);
      book.failed(step, err.message, Date.now());
      return await end('failed', `Could not verify the split between ${spec.local.context} and ${spec.remote.context}: ${err.message}`);
    }
    throw err;
  }
}
