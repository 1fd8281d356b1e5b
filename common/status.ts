import { z } from 'zod';
import { MeshSpec } from './mesh-spec';
import { StepId } from './steps';
import { VerifyResult } from './verify-result';

/** Who asked for a run, as the edge that started it saw them. */
export const Requester = z.object({
  id: z.string().min(1).describe('Stable user id, e.g. Slack U0123 or a CLI user name'),
  name: z.string().optional(),
  groups: z.array(z.string()).default([]).describe('Groups or roles the edge resolved for the user'),
  via: z.enum(['slack', 'cli', 'schedule']),
  /** Slack channel the run reports to, when started from Slack. */
  channel: z.string().optional(),
});
export type Requester = z.infer<typeof Requester>;

/** Facts learnt by one step and handed to later ones by the workflow. Never a secret. */
export const MeshFacts = z.object({
  localGatewayAddress: z.string().optional().describe('Load-balancer address of the local gateway, for remotePilotAddress'),
  remoteGatewayAddress: z.string().optional().describe('Load-balancer address of the remote east-west gateway'),
  remoteSecretName: z.string().optional(),
  remoteSecretFingerprint: z.string().optional().describe('sha256 of the kubeconfig, to tell two secrets apart without showing either'),
  istioRevision: z.string().optional(),
});
export type MeshFacts = z.infer<typeof MeshFacts>;

export const StepState = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending') }),
  z.object({ state: z.literal('waiting-approval'), since: z.string() }),
  z.object({
    state: z.literal('running'),
    attempt: z.number().int().min(1),
    startedAt: z.string(),
    lastError: z.string().optional().describe('Why the previous attempt failed, while a retry runs'),
  }),
  z.object({ state: z.literal('done'), durationMs: z.number(), summary: z.string() }),
  z.object({ state: z.literal('failed'), error: z.string(), durationMs: z.number().optional() }),
  z.object({ state: z.literal('skipped'), reason: z.string() }),
]);
export type StepState = z.infer<typeof StepState>;

export const Approver = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  groups: z.array(z.string()).default([]),
});
export type Approver = z.infer<typeof Approver>;

/** The argument of the approve Update. */
export const ApprovalDecision = z.object({
  step: StepId,
  decision: z.enum(['approve', 'reject']),
  approver: Approver,
  reason: z.string().max(500).optional(),
  runId: z.string().min(1).optional().describe('The run the decision is for (from its approval buttons); unset: whichever run of the workflow id is running'),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const ApprovalRecord = z.object({
  step: StepId,
  decision: z.enum(['approve', 'reject']),
  by: Approver,
  at: z.string().describe('ISO time of the decision'),
  reason: z.string().optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

/** The argument of the cancel Update: who cancels, and whether to roll back (unset: the spec's setting). */
export const CancelRequest = z.object({
  by: Approver,
  rollback: z.boolean().optional(),
});
export type CancelRequest = z.infer<typeof CancelRequest>;

/** How a run was cancelled, as its status shows it. `by` is unset for a plain Temporal cancel (UI, temporal CLI). */
export const CancellationRecord = z.object({
  by: Approver.optional(),
  at: z.string().describe('ISO time the cancel was received'),
  rollback: z.boolean(),
});
export type CancellationRecord = z.infer<typeof CancellationRecord>;

export const RunPhase = z.enum(['running', 'waiting-approval', 'cancelling', 'done', 'failed', 'cancelled', 'timed-out', 'rejected', 'skipped']);
export type RunPhase = z.infer<typeof RunPhase>;

/** What the status query returns and every progress notification carries. */
export const MeshStatus = z.object({
  workflowId: z.string(),
  /** Which run of the workflow id; approvals and cancels name it so they cannot reach a later run of the pair. */
  runId: z.string().optional(),
  kind: z.enum(['setup', 'teardown', 'verify']),
  phase: RunPhase,
  requester: Requester,
  spec: MeshSpec,
  steps: z.array(z.object({ id: StepId, state: StepState })),
  approvals: z.array(ApprovalRecord),
  cancellation: CancellationRecord.optional(),
  facts: MeshFacts,
  verify: VerifyResult.optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** Why the run ended the way it did, for failed / cancelled / timed-out / rejected. */
  outcome: z.string().optional(),
});
export type MeshStatus = z.infer<typeof MeshStatus>;

export const TERMINAL_PHASES: readonly RunPhase[] = ['done', 'failed', 'cancelled', 'timed-out', 'rejected', 'skipped'];
