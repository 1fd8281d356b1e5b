import type { View } from '@slack/types';
import { z } from 'zod';
import { ApprovalButtonValue } from '../common/approval-buttons';
import { STEP_CATALOGUE } from '../common/steps';

/**
 * The modal a Reject click opens (views.open with the click's trigger_id): the reason is asked for
 * and recorded with the decision. The button's value, and where the click happened (so the answer
 * lands in the run's thread), travel in private_metadata; Slack sends it back on submission.
 */
export const REJECT_VIEW = { callbackId: 'mesh_reject_reason', block: 'reason', action: 'reason_input' } as const;

/** ApprovalDecision (common/status.ts) takes a reason of at most 500 characters. */
export const REASON_MAX = 500;

export const RejectViewMetadata = ApprovalButtonValue.extend({
  channel: z.string().min(1).max(64),
  /** The run thread the buttons are in: the answer goes there. */
  threadTs: z.string().min(1).max(32).optional(),
});
export type RejectViewMetadata = z.infer<typeof RejectViewMetadata>;

export function rejectReasonModal(meta: RejectViewMetadata): View {
  const step = STEP_CATALOGUE[meta.step].title;
  return {
    type: 'modal',
    callback_id: REJECT_VIEW.callbackId,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Reject this step' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `The run \`${meta.workflowId}\` ends as rejected and *${step}* does not run. Say why: it is recorded with your decision and shown in the run's thread.` } },
      {
        type: 'input',
        block_id: REJECT_VIEW.block,
        label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: REJECT_VIEW.action, multiline: true, max_length: REASON_MAX, placeholder: { type: 'plain_text', text: 'e.g. the remote cluster is being upgraded today' } },
      },
    ],
  };
}

export function parseRejectMetadata(text: string | undefined): RejectViewMetadata | undefined {
  try {
    const parsed = RejectViewMetadata.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The reason as typed, checked as ApprovalDecision will check it; an error is shown under the field. */
export function checkReason(raw: string | null | undefined): { ok: true; reason: string } | { ok: false; error: string } {
  const reason = (raw ?? '').trim();
  if (!reason) return { ok: false, error: 'Say why you reject this step; the reason is recorded with the decision.' };
  if (reason.length > REASON_MAX) return { ok: false, error: `Keep the reason to ${REASON_MAX} characters (it has ${reason.length}).` };
  return { ok: true, reason };
}
