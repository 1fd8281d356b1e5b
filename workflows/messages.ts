import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision, ApprovalRecord, CancelRequest, CancellationRecord, MeshStatus } from '../common/status';

/** Approve or reject the open gate. The validator refuses with a message a person can act on. */
export const approveUpdate = defineUpdate<ApprovalRecord, [ApprovalDecision]>('approve');

/** Cancel the run, recording who did and whether it rolls back. Refused once it is rolling back. */
export const cancelUpdate = defineUpdate<CancellationRecord, [CancelRequest]>('cancel');

/** Where the run stands: every step, the approvals, the facts found so far. */
export const statusQuery = defineQuery<MeshStatus>('status');

/**
 * Sent just before a Temporal cancel to override the spec's `rollback` for this run. Clients
 * before the cancel Update used it; a run still honours it.
 */
export const rollbackOnCancelSignal = defineSignal<[boolean]>('rollbackOnCancel');

/** ApplicationFailure types the validators refuse with; the client maps them without reading the message. */
export const REFUSAL = {
  approval: 'ApprovalRefused',
  noGates: 'NoApprovalGates',
  cancel: 'CancelRefused',
} as const;
