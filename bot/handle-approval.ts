import { ApprovalButtonValue } from '../common/approval-buttons';
import { escapeMrkdwn } from '../common/slack-text';
import { STEP_CATALOGUE } from '../common/steps';
import { describeError } from './describe-error';
import { authorizeApproval, type Actor } from './policy';
import { denied, ephemeral, type Reply } from './render/replies';
import type { BotDeps } from './deps';

export interface ApprovalClick {
  userId: string;
  userName?: string;
  channelId: string;
  decision: 'approve' | 'reject';
  /** The button's value as Slack sent it back: outside input. */
  value: string;
  /** Why, for a reject (from the reason modal); recorded with the decision. */
  reason?: string;
}

export function parseApprovalValue(value: string): ApprovalButtonValue | undefined {
  try {
    const result = ApprovalButtonValue.safeParse(JSON.parse(value));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An Approve / Reject click after the ack: authorize the clicker against the policy (approver,
 * four-eyes), then call the workflow's approval Update. Refusals go back to the clicker only.
 */
export async function handleApprovalClick(deps: BotDeps, click: ApprovalClick): Promise<Reply> {
  const log = deps.logger.child({ user: click.userId, channel: click.channelId, decision: click.decision });
  const target = parseApprovalValue(click.value);
  if (!target) {
    log.warn({ value: click.value.slice(0, 200) }, 'approval click with a value meshops did not write');
    return ephemeral(':warning: This button does not belong to a meshops run. Use the buttons meshops posts in the run thread.');
  }
  const step = STEP_CATALOGUE[target.step].title;
  try {
    const actor: Actor = { userId: click.userId, groups: await deps.groups(click.userId), channelId: click.channelId };
    const status = await deps.mesh.status(target.workflowId, target.runId);
    const decision = authorizeApproval(deps.policy, actor, status.requester.id);
    if (!decision.allowed) {
      log.warn({ workflowId: target.workflowId, step: target.step, reason: decision.reason }, 'denied approval click');
      return denied(decision.reason);
    }
    await deps.mesh.approve(target.workflowId, {
      step: target.step,
      decision: click.decision,
      approver: { id: click.userId, name: click.userName, groups: [...actor.groups] },
      ...(click.reason ? { reason: click.reason } : {}),
      ...(target.runId ? { runId: target.runId } : {}),
    });
    log.info({ workflowId: target.workflowId, step: target.step }, 'approval decision recorded');
    const why = click.reason ? ` Reason recorded: “${escapeMrkdwn(click.reason)}”` : '';
    return ephemeral(click.decision === 'approve' ? `:white_check_mark: You approved *${step}*; the run continues.` : `:no_entry: You rejected *${step}*; the run stops before it.${why}`);
  } catch (err) {
    const { text, expected } = describeError(err, `record your decision on ${step}`);
    if (expected) log.info({ workflowId: target.workflowId, reason: text }, 'approval refused');
    else log.error({ workflowId: target.workflowId, err: text }, 'approval failed');
    return ephemeral(`:warning: ${text}`);
  }
}
