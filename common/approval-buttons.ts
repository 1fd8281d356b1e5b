import { z } from 'zod';
import { StepId } from './steps';

/**
 * The contract between the Slack notifier (which posts the Approve / Reject buttons) and the bot
 * (which handles the clicks): action ids and the button value, validated on the way back in
 * because a click payload is outside input.
 */
export const APPROVAL_ACTION = { approve: 'mesh_approve', reject: 'mesh_reject' } as const;

export const ApprovalButtonValue = z.object({
  workflowId: z.string().min(1).max(255).describe('The workflow the gate belongs to'),
  runId: z.string().min(1).max(64).optional().describe('The run of that workflow: a later run of the same pair is another gate (unset on buttons posted before runs named themselves)'),
  step: StepId.describe('The step waiting for the decision'),
});
export type ApprovalButtonValue = z.infer<typeof ApprovalButtonValue>;

export function approvalButtonValue(value: ApprovalButtonValue): string {
  return JSON.stringify(value);
}
