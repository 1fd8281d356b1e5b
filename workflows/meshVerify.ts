import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MeshStatus, RunPhase } from '../common/status';
import { statusQuery } from './messages';
import { ProgressNotifier } from './progress-notifier';
import { STEP_PRESET } from './retry-presets';
import { parseRunInput, type MeshRunInput } from './run-input';
import { indexRun } from './run-index';
import { RunStatusBook } from './run-status';
import { callStep } from './step-activities';
import { StepFailed, runCancelled, withRetries } from './step-runner';

/**
 * verify-split alone, for schedules that re-check a mesh. A failed verdict is drift: the run ends
 * `failed` with the verdict's reason, and the notifier's `finished` event carries it to the channel.
 */
export async function meshVerify(input: MeshRunInput): Promise<MeshStatus> {
  const { spec, requester } = parseRunInput(input, 'meshVerify');
  const recordPhase = indexRun(spec, requester);
  const step = 'verify-split';
  const book = new RunStatusBook({ workflowId: workflowInfo().workflowId, kind: 'verify', requester, spec, steps: [step], now: Date.now() });
  const notifier = new ProgressNotifier();
  setHandler(statusQuery, () => book.snapshot());

  const end = async (phase: RunPhase, outcome: string): Promise<MeshStatus> => {
    book.finish(phase, outcome, Date.now(), 'not needed');
    recordPhase(phase);
    notifier.send('finished', book.snapshot());
    await notifier.flush();
    return book.snapshot();
  };

  notifier.send('started', book.snapshot());
  // Runs started before verify reported its step changes replay without them.
  const stepEvents = patched('verify-step-events');
  try {
    const outcome = await withRetries(step, STEP_PRESET[step], () => callStep(step, { spec, facts: {} }), {
      onAttempt: (attempt, lastError) => {
        book.running(step, attempt, Date.now(), lastError);
        if (stepEvents) notifier.send('step-changed', book.snapshot(), step);
      },
    });
    book.done(step, outcome, Date.now());
    if (stepEvents) notifier.send('step-changed', book.snapshot(), step);
    if (outcome.verify && !outcome.verify.passed) {
      book.failed(step, outcome.verify.reason, Date.now());
      return await end('failed', `Drift between ${spec.local.context} and ${spec.remote.context}: ${outcome.verify.reason}`);
    }
    return await end('done', `The split holds: ${outcome.summary}`);
  } catch (err) {
    if (runCancelled(err)) {
      book.failed(step, 'stopped: the verification was cancelled', Date.now());
      await end('cancelled', 'Verification cancelled.');
      throw err;
    }
    if (err instanceof StepFailed) {
      book.failed(step, err.message, Date.now());
      return await end('failed', `Could not verify the split between ${spec.local.context} and ${spec.remote.context}: ${err.message}`);
    }
    throw err;
  }
}
