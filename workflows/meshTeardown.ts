import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { PROCEDURE, SEED_ORDER_PROCEDURE, type Procedure, type SetupStepId } from '../common/steps';
import type { MeshStatus, RunPhase } from '../common/status';
import { ApprovalGate } from './approval-gate';
import { awaitApproval, handleApprovals, refuseApprovals } from './await-approval';
import { statusQuery } from './messages';
import { ProgressNotifier } from './progress-notifier';
import { CLEANUP } from './retry-presets';
import type { MeshRunInput } from './run-input';
import { startRun } from './run-start';
import { indexRun, typedSearchAttributes } from './run-index';
import { RunStatusBook } from './run-status';
import { callCleanup } from './step-activities';
import { StepFailed, withRetries } from './step-runner';

/** Every step that changes a cluster, newest first: the seed's cleanup section. */
const teardownSteps = (procedure: Procedure): SetupStepId[] => [...procedure.mutating].reverse();

/**
 * The seed's full cleanup: cleanupStep for every step that changes a cluster, in reverse order.
 * Each step line of the status means "cleanup of that step". cleanupStep is idempotent, so a
 * teardown of a half-installed mesh, or a second teardown, is safe.
 */
export async function meshTeardown(input: MeshRunInput): Promise<MeshStatus> {
  const { spec, requester, cancellation, patches } = await startRun(input, 'meshTeardown', 'teardown', () => ({
    typed: typedSearchAttributes(),
    approvalGate: patched('teardown-approval-gate'),
    linkSecretFirst: patched('link-secret-before-remote-gateway'),
  }));
  const recordPhase = indexRun(spec, requester, patches.typed);
  const { workflowId, runId } = workflowInfo();
  const gate = new ApprovalGate(spec.approval, requester, runId);
  // With `cleanup` among the policy's gates, a person approves the teardown before anything is deleted.
  const gated = gate.isGated('cleanup') && patches.approvalGate;
  const order = teardownSteps(patches.linkSecretFirst ? PROCEDURE : SEED_ORDER_PROCEDURE);
  const steps = gated ? (['cleanup', ...order] as const) : order;
  const book = new RunStatusBook({ workflowId, runId, kind: 'teardown', requester, spec, steps, now: Date.now() });
  const notifier = new ProgressNotifier();
  setHandler(statusQuery, () => book.snapshot());
  if (gated) handleApprovals(gate);
  else refuseApprovals(`Teardown ${workflowId} has no approval gate (add cleanup to approval.gates to have one); there is nothing to approve.`);
  // A teardown never rolls back: what it deleted stays deleted.
  cancellation.attach(book, { rollbackBySpec: false, canRollBack: false });

  const end = async (phase: RunPhase, outcome: string, skipped: string): Promise<MeshStatus> => {
    book.finish(phase, outcome, Date.now(), skipped);
    recordPhase(phase);
    notifier.send('finished', book.snapshot());
    await notifier.flush();
    return book.snapshot();
  };

  notifier.send('started', book.snapshot());
  let current: SetupStepId | undefined;
  try {
    return await cancellation.scope.run(async () => {
      if (gated) {
        const verdict = await awaitApproval('cleanup', gate, book, notifier, recordPhase);
        const r = book.snapshot().approvals.at(-1);
        if (verdict === 'timed-out' || !r) {
          return await end('timed-out', `No one approved the teardown within ${spec.approval.timeout}; nothing was deleted.`, 'the teardown was not approved');
        }
        if (verdict === 'rejected') {
          return await end('rejected', `${r.by.id} rejected the teardown${r.reason ? `: ${r.reason}` : ''}; nothing was deleted.`, 'the teardown was rejected');
        }
        book.done('cleanup', { summary: `teardown approved by ${r.by.id}` }, Date.now());
        // `runs` reads the phase from the memo: without this it showed waiting-approval until the end.
        if (patched('teardown-running-memo')) recordPhase('running');
        notifier.send('step-changed', book.snapshot(), 'cleanup');
      }
      for (const step of order) {
        cancellation.checkpoint();
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
      cancellation.checkpoint();
      return await end('done', `Removed the mesh between ${spec.local.context} and ${spec.remote.context}.`, 'not needed');
    });
  } catch (err) {
    if (cancellation.caught(err)) {
      const { by } = cancellation.settle(Date.now());
      const stopped = current && book.stateOf(current)?.state === 'running' ? current : undefined;
      if (stopped) book.failed(stopped, 'stopped: the teardown was cancelled', Date.now());
      const where = stopped ? `during cleanup of ${stopped}` : `after cleanup of ${current}`;
      const during = current ? `${where}; ${book.doneSummary()}. Run teardown again to finish.` : 'before anything was deleted.';
      await end('cancelled', `Teardown cancelled${by ? ` by ${by.id}` : ''} ${during}`, 'the teardown was cancelled');
      throw cancellation.failure(err);
    }
    if (err instanceof StepFailed && current) {
      book.failed(current, err.message, Date.now());
      return await end('failed', `Cleanup of ${current} failed: ${err.message}; ${book.doneSummary()}. Fix the cause and run teardown again.`, `cleanup of ${current} failed`);
    }
    throw err;
  }
}
