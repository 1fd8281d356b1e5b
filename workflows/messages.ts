import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalDecision, ApprovalRecord, MeshStatus } from '../common/status';

/** Approve or reject the open gate. The validator refuses with a message a person can act on. */
export const approveUpdate = defineUpdate<ApprovalRecord, [ApprovalDecision]>('approve');

/** Where the run stands: every step, the approvals, the facts found so far. */
export const statusQuery = defineQuery<MeshStatus>('status');

/** Sent just before a cancel to override the spec's `rollback` for this run. */
export const rollbackOnCancelSignal = defineSignal<[boolean]>('rollbackOnCancel');
