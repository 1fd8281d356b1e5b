import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { ApprovalDecision, ApprovalRecord } from '../common/status';
import type { PhaseRecorder } from './run-index';
import type { StepId } from '../common/steps';
import type { ApprovalGate } from './approval-gate';
import { REFUSAL, approveUpdate } from './messages';
import type { ProgressNotifier } from './progress-notifier';
import type { RunStatusBook } from './run-status';

export type GateVerdict = 'approved' | 'rejected' | 'timed-out';

/** Registers the approve Update of a run: the validator refuses with the gate's reason, the handler records. */
export function handleApprovals(gate: ApprovalGate): void {
  setHandler(approveUpdate, (decision) => gate.decide(decision, Date.now()), {
    validator: (decision) => gate.assertMayDecide(decision, Date.now()),
  });
}

/** For runs without gates (verify, an ungated teardown): every approval is refused, saying why. */
export function refuseApprovals(why: string): void {
  const refuse = (): never => {
    throw ApplicationFailure.nonRetryable(why, REFUSAL.noGates);
  };
  setHandler(approveUpdate, (_decision: ApprovalDecision) => refuse(), { validator: (_decision: ApprovalDecision) => refuse() });
}

/** Opens the gate before `step`, waits up to the policy's timeout for a decision, and records it. */
export async function awaitApproval(step: StepId, gate: ApprovalGate, book: RunStatusBook, notifier: ProgressNotifier, recordPhase: PhaseRecorder): Promise<GateVerdict> {
  gate.openFor(step, Date.now());
  book.waitingApproval(step, Date.now());
  recordPhase('waiting-approval');
  notifier.send('approval-requested', book.snapshot(), step);
  let answered: boolean;
  let record: ApprovalRecord | undefined;
  try {
    answered = await condition(() => gate.decision !== undefined, gate.timeoutMs);
    record = gate.decision;
  } finally {
    gate.close(); // also when the run is cancelled while waiting: no decision is taken after that
  }
  if (!answered || !record) return 'timed-out';
  book.recordApproval(record);
  notifier.send('approval-decided', book.snapshot(), step);
  return record.decision === 'approve' ? 'approved' : 'rejected';
}
