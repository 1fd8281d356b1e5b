import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { PROCEDURE, SEED_ORDER_PROCEDURE, STEP_CATALOGUE, type SetupStepId } from '../common/steps';
import { MeshFacts, type MeshStatus, type RunPhase } from '../common/status';
import { describeIssues } from '../common/errors';
import { ApprovalGate } from './approval-gate';
import { awaitApproval, handleApprovals } from './await-approval';
import { statusQuery } from './messages';
import { ProgressNotifier } from './progress-notifier';
import { rollback, rollbackOutcome } from './rollback';
import type { MeshRunInput } from './run-input';
import { startRun } from './run-start';
import { indexRun, typedSearchAttributes } from './run-index';
import { RunStatusBook } from './run-status';
import { callStep } from './step-activities';
import { StepFailed, withRetries } from './step-runner';
import { STEP_PRESET } from './retry-presets';

/**
 * The seed's two-cluster procedure, one activity per step, with approval gates before the steps the
 * policy names. Returns the final status; a cancelled run rolls back (when asked) and then ends
 * cancelled. Changes to this logic go behind `patched('<change-id>')` so running histories replay.
 */
export async function meshSetup(input: MeshRunInput): Promise<MeshStatus> {
  const { spec, requester, cancellation, patches } = await startRun(input, 'meshSetup', 'setup', () => ({
    typed: typedSearchAttributes(),
    linkSecretFirst: patched('link-secret-before-remote-gateway'),
  }));
  const recordPhase = indexRun(spec, requester, patches.typed);
  const seedOrder = !patches.linkSecretFirst;
  const procedure = seedOrder ? SEED_ORDER_PROCEDURE : PROCEDURE;
  const { workflowId, runId } = workflowInfo();
  const book = new RunStatusBook({ workflowId, runId, kind: 'setup', requester, spec, steps: procedure.steps, now: Date.now() });
  const gate = new ApprovalGate(spec.approval, requester, runId);
  const notifier = new ProgressNotifier();

  setHandler(statusQuery, () => book.snapshot());
  handleApprovals(gate);
  cancellation.attach(book, { rollbackBySpec: spec.rollback, canRollBack: true });

  const phase = (next: RunPhase) => {
    book.setPhase(next);
    recordPhase(next);
  };
  const end = async (next: RunPhase, outcome: string, skipped: string): Promise<MeshStatus> => {
    book.finish(next, outcome, Date.now(), skipped);
    recordPhase(next);
    notifier.send('finished', book.snapshot());
    await notifier.flush();
    return book.snapshot();
  };

  const runStep = async (step: SetupStepId): Promise<void> => {
    const input = seedOrder ? { spec, facts: book.facts, procedure: 'seed-order' as const } : { spec, facts: book.facts };
    const outcome = await withRetries(step, STEP_PRESET[step], () => callStep(step, input), {
      onAttempt: (attempt, lastError) => {
        book.running(step, attempt, Date.now(), lastError);
        notifier.send('step-changed', book.snapshot(), step);
      },
    });
    const facts = MeshFacts.safeParse({ ...book.facts, ...outcome.facts });
    if (!facts.success) throw new StepFailed(step, `${step} returned facts that do not fit MeshFacts (${describeIssues(facts.error, 'facts')}); fix the activity.`);
    // Only the known, non-secret facts travel on (zod drops unknown keys).
    outcome.facts = facts.data;
    if (outcome.verify && !outcome.verify.passed) {
      book.done(step, outcome, Date.now()); // keeps the verify counts in the status
      throw new StepFailed(step, outcome.verify.reason);
    }
    book.done(step, outcome, Date.now());
    notifier.send('step-changed', book.snapshot(), step);
  };

  /** The step rollback undoes first although it did not finish (runs before this change roll back finished steps only). */
  const interruptedStep = (step: SetupStepId | undefined) => (step && patched('rollback-interrupted-step') ? step : undefined);

  notifier.send('started', book.snapshot());
  let current: SetupStepId | undefined;
  try {
    return await cancellation.scope.run(async () => {
      for (const step of procedure.steps) {
        cancellation.checkpoint();
        current = step;
        if (!spec.samples.deploy && (step === 'deploy-samples' || step === 'verify-split')) {
          book.skip(step, 'samples.deploy is off in the spec');
          continue;
        }
        if (gate.isGated(step)) {
          const verdict = await awaitApproval(step, gate, book, notifier, recordPhase);
          if (verdict === 'timed-out') {
            return await end('timed-out', `No one approved ${step} within ${spec.approval.timeout}; ${book.doneSummary()}. Start the setup again to continue.`, `no approval for ${step}`);
          }
          if (verdict === 'rejected') {
            const r = book.snapshot().approvals.at(-1)!;
            return await end('rejected', `${r.by.id} rejected ${step}${r.reason ? `: ${r.reason}` : ''}; ${book.doneSummary()}.`, `${step} was rejected`);
          }
          phase('running');
        }
        await runStep(step);
      }
      cancellation.checkpoint();
      return await end('done', `All steps done: the mesh ${spec.meshId} spans ${spec.local.context} and ${spec.remote.context}.`, 'not needed');
    });
  } catch (err) {
    if (cancellation.caught(err)) {
      const { by, rollback: rollbackAsked } = cancellation.settle(Date.now());
      const stopped = current && book.stateOf(current)?.state === 'running' ? current : undefined;
      if (stopped) book.failed(stopped, 'stopped: the run was cancelled', Date.now());
      const waited = current && book.stateOf(current)?.state === 'waiting-approval';
      const when = waited ? `while ${current} waited for approval` : stopped ? `during ${stopped}` : current ? `after ${current}` : 'before its first step';
      let outcome = `Cancelled${by ? ` by ${by.id}` : ''} ${when}; ${book.doneSummary()}.`;
      if (rollbackAsked) {
        phase('cancelling');
        outcome += ` ${rollbackOutcome(await rollback(spec, book, notifier, procedure, interruptedStep(stopped)))}`;
      }
      await end('cancelled', outcome, 'the run was cancelled');
      throw cancellation.failure(err);
    }
    if (err instanceof StepFailed) {
      book.failed(err.step as SetupStepId, err.message, Date.now());
      let outcome = `${err.step} (${STEP_CATALOGUE[err.step as SetupStepId].title}) failed: ${err.message}; ${book.doneSummary()}.`;
      if (spec.rollback) {
        cancellation.close(`it is rolling back after ${err.step} failed`);
        outcome += ` ${rollbackOutcome(await rollback(spec, book, notifier, procedure, interruptedStep(err.step as SetupStepId)))}`;
      }
      return await end('failed', outcome, `${err.step} failed`);
    }
    throw err;
  }
}
