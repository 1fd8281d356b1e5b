import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { APPROVAL_ACTION } from '../../common/approval-buttons';
import { handleApprovalClick } from '../handle-approval';
import type { BotDeps } from '../deps';

/** Approve / Reject buttons: ack first, then the decision, then an ephemeral answer to the clicker. */
export function approvalButton(deps: BotDeps, decision: 'approve' | 'reject') {
  return async ({ ack, body, action, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>): Promise<void> => {
    await ack();
    const reply = await handleApprovalClick(deps, {
      userId: body.user.id,
      userName: body.user.name,
      channelId: body.channel?.id ?? '',
      decision,
      value: action.value ?? '',
    });
    // replace_original false: the buttons stay until the notifier replaces them with the decision
    await respond({ ...reply, replace_original: false });
  };
}

export function registerActions(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTION.approve, approvalButton(deps, 'approve'));
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTION.reject, approvalButton(deps, 'reject'));
}
