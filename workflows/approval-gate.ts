import { ApplicationFailure } from '@temporalio/workflow';
import { type Duration, msToNumber } from '@temporalio/common/lib/time';
import type { ApprovalPolicy } from '../common/approval-policy';
import { describeIssues } from '../common/errors';
import { ApprovalDecision, type ApprovalRecord, type Requester } from '../common/status';
import type { StepId } from '../common/steps';
import { REFUSAL } from './messages';

interface OpenGate {
  step: StepId;
  expiresAtMs: number;
  decision?: ApprovalRecord;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The approval gates of one run: which steps wait, who may decide, and the decision taken.
 * Plain and deterministic; the workflow's approve Update calls `refusal` as its validator and
 * `decide` as its handler.
 */
export class ApprovalGate {
  private open?: OpenGate;

  constructor(
    private readonly policy: ApprovalPolicy,
    private readonly requester: Requester,
    /** This run's id: a decision naming another run (an old button of the same pair) is refused. */
    private readonly runId: string,
  ) {}

  isGated(step: StepId): boolean {
    return this.policy.gates.includes(step);
  }

  /** The gate's timeout in ms, from the policy's duration (30s, 15m, 2h, 1d). */
  get timeoutMs(): number {
    return msToNumber(this.policy.timeout as Duration); // the policy's schema only lets ms-style durations through
  }

  openFor(step: StepId, now: number): void {
    this.open = { step, expiresAtMs: now + this.timeoutMs };
  }

  close(): void {
    this.open = undefined;
  }

  /** The decision on the open gate, once someone allowed took one. */
  get decision(): ApprovalRecord | undefined {
    return this.open?.decision;
  }

  /** Why `input` may not decide the open gate, or undefined when it may. */
  refusal(input: unknown, now: number): string | undefined {
    const parsed = ApprovalDecision.safeParse(input);
    if (!parsed.success) return `Invalid approval decision:\n${describeIssues(parsed.error)}`;
    const d = parsed.data;
    if (d.runId && d.runId !== this.runId) {
      return `This ${d.decision} is for run ${d.runId}, which has ended; run ${this.runId} of the pair is the one running now. Use the buttons of its own message.`;
    }
    const gate = this.open;
    if (!gate) return `No step of this run is waiting for approval, so there is nothing to ${d.decision}.`;
    if (gate.step !== d.step) return `The open gate is for ${gate.step}, not ${d.step}: ${d.decision} ${gate.step} instead.`;
    if (gate.decision) return `${gate.step} was already ${gate.decision.decision}d by ${gate.decision.by.id} at ${gate.decision.at}.`;
    if (now >= gate.expiresAtMs) return `The approval for ${gate.step} expired at ${iso(gate.expiresAtMs)}; the run ends as timed-out.`;
    const { fourEyes, approvers } = this.policy;
    if (fourEyes && d.decision === 'approve' && d.approver.id === this.requester.id) {
      return `Four-eyes rule: ${d.approver.id} requested this run and cannot approve it. Ask another on-call engineer to approve ${gate.step}.`;
    }
    const restricted = approvers.users.length > 0 || approvers.groups.length > 0;
    const allowed = approvers.users.includes(d.approver.id) || d.approver.groups.some((g) => approvers.groups.includes(g));
    if (restricted && !allowed) {
      const who = [approvers.users.length ? `users ${approvers.users.join(', ')}` : '', approvers.groups.length ? `groups ${approvers.groups.join(', ')}` : '']
        .filter(Boolean)
        .join(' or ');
      return `${d.approver.id} may not ${d.decision} ${gate.step}: the approval policy allows ${who}. Ask one of them.`;
    }
    return undefined;
  }

  /** The Update validator: throws the refusal, typed, so the caller gets it as the Update's failure. */
  assertMayDecide(input: unknown, now: number): void {
    const refusal = this.refusal(input, now);
    if (refusal) throw ApplicationFailure.nonRetryable(refusal, REFUSAL.approval);
  }

  /** Records a decision the validator accepted. */
  decide(input: ApprovalDecision, now: number): ApprovalRecord {
    const d = ApprovalDecision.parse(input);
    if (!this.open) throw new Error('no gate is open');
    const record: ApprovalRecord = { step: d.step, decision: d.decision, by: d.approver, at: iso(now), ...(d.reason ? { reason: d.reason } : {}) };
    this.open.decision = record;
    return record;
  }
}
