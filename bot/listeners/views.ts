import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { approvalButtonValue } from '../../common/approval-buttons';
import type { BotDeps } from '../deps';
import { handleApprovalClick } from '../handle-approval';
import { REJECT_VIEW, checkReason, parseRejectMetadata } from '../reject-modal';
import { withRequestDeadline } from '../temporal-deadline';
import { answerBy } from '../time-limit';
import type { ListenerOptions } from './options';
import { answerInThread, answerOf } from './reply';

/**
 * The reject modal submitted: a missing, blank or too long reason is shown under the field
 * (response_action errors, the modal stays open, nothing is decided); otherwise the modal closes
 * and the rejection is recorded with its reason, answered privately in the run's thread.
 */
export function rejectSubmitted(deps: BotDeps, opts: ListenerOptions = {}) {
  return async ({ ack, body, view, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>): Promise<void> => {
    const meta = parseRejectMetadata(view.private_metadata);
    const log = deps.logger.child({ user: body.user.id, channel: meta?.channel, decision: 'reject' });
    if (!meta) {
      log.warn('reject modal with metadata meshops did not write');
      await ack({ response_action: 'errors', errors: { [REJECT_VIEW.block]: 'This form does not belong to a meshops run. Use the Reject button in the run thread.' } });
      return;
    }
    const checked = checkReason(view.state.values[REJECT_VIEW.block]?.[REJECT_VIEW.action]?.value);
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: { [REJECT_VIEW.block]: checked.error } });
      return;
    }
    await ack();
    const value = approvalButtonValue({ workflowId: meta.workflowId, ...(meta.runId ? { runId: meta.runId } : {}), step: meta.step });
    const work = (async () => {
      const reply = await answerOf(
        () => withRequestDeadline(opts.requestBudgetMs, () => handleApprovalClick(deps, { userId: body.user.id, userName: body.user.name, channelId: meta.channel, decision: 'reject', value, reason: checked.reason })),
        'record your decision',
        log,
      );
      await answerInThread(client, { channel: meta.channel, user: body.user.id, threadTs: meta.threadTs }, reply, log);
    })();
    await answerBy(opts.answerWithinMs, work, () => log.warn('the reject was not answered within the request budget'));
  };
}

export function registerViews(app: App, deps: BotDeps, opts: ListenerOptions = {}): void {
  app.view<ViewSubmitAction>({ callback_id: REJECT_VIEW.callbackId, type: 'view_submission' }, rejectSubmitted(deps, opts));
}
