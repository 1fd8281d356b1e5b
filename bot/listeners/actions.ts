import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { APPROVAL_ACTION } from '../../common/approval-buttons';
import { describeError } from '../describe-error';
import { handleApprovalClick, parseApprovalValue } from '../handle-approval';
import type { BotDeps } from '../deps';
import { authorizeApproval } from '../policy';
import { rejectReasonModal } from '../reject-modal';
import { denied, ephemeral } from '../render/replies';
import { singleAttempt } from '../slack-clients';
import { withRequestDeadline } from '../temporal-deadline';
import { answerBy } from '../time-limit';
import type { ListenerOptions } from './options';
import { answerInThread, answerOf, clickPlace } from './reply';

const TRIGGER_BUDGET_MS = 2_500;

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Approve: ack (on Lambda the ack leaves when the listener returns, by answerWithinMs), then the decision, then a private answer to the clicker in the run's thread. */
export function approveButton(deps: BotDeps, opts: ListenerOptions = {}) {
  return async ({ ack, body, action, client, respond }: ButtonArgs): Promise<void> => {
    await ack();
    const place = clickPlace(body);
    const log = deps.logger.child({ user: place.user, channel: place.channel, decision: 'approve' });
    const work = (async () => {
      const reply = await answerOf(
        () => withRequestDeadline(opts.requestBudgetMs, () => handleApprovalClick(deps, { userId: place.user, userName: body.user.name, channelId: place.channel, decision: 'approve', value: action.value ?? '' })),
        'record your decision',
        log,
      );
      // The buttons stay until the notifier replaces them with the decision.
      await answerInThread(client, place, reply, log, respond);
    })();
    await answerBy(opts.answerWithinMs, work, () => log.warn('the approve click was not answered within the request budget'));
  };
}

/**
 * Reject: ack, check the clicker may approve at all (policy and groups; no Temporal call, as the
 * click's trigger_id is good for 3 s only), then open the modal that asks for the reason. The
 * decision is made when the modal is submitted (listeners/views.ts), where four-eyes is checked too.
 */
export function rejectButton(deps: BotDeps) {
  return async ({ ack, body, action, client, respond }: ButtonArgs): Promise<void> => {
    const clicked = Date.now();
    await ack();
    const place = clickPlace(body);
    const log = deps.logger.child({ user: place.user, channel: place.channel, decision: 'reject' });
    const target = parseApprovalValue(action.value ?? '');
    if (!target) {
      log.warn({ value: (action.value ?? '').slice(0, 200) }, 'approval click with a value meshops did not write');
      return answerInThread(client, place, ephemeral(':warning: This button does not belong to a meshops run. Use the buttons meshops posts in the run thread.'), log, respond);
    }
    try {
      const groups = await deps.groups(place.user);
      // The requester is not known without asking Temporal: four-eyes is checked on submission.
      const may = authorizeApproval(deps.policy, { userId: place.user, groups, channelId: place.channel }, '');
      if (!may.allowed) {
        log.warn({ workflowId: target.workflowId, step: target.step, reason: may.reason }, 'denied approval click');
        return answerInThread(client, place, denied(may.reason), log, respond);
      }
    } catch (err) {
      const { text } = describeError(err, 'check who you are');
      log.warn({ workflowId: target.workflowId, reason: text }, 'could not authorize reject click');
      return answerInThread(client, place, ephemeral(`:warning: ${text}`), log, respond);
    }
    try {
      // The trigger is good for 3 s from the click: what the group check left of it, with a margin.
      await singleAttempt(client, Math.max(300, TRIGGER_BUDGET_MS - (Date.now() - clicked))).views.open({ trigger_id: body.trigger_id, view: rejectReasonModal({ ...target, channel: place.channel, ...(place.threadTs ? { threadTs: place.threadTs } : {}) }) });
    } catch (err) {
      log.error({ workflowId: target.workflowId, err: (err as Error).message }, 'could not open the reject modal');
      await answerInThread(client, place, ephemeral(`:warning: Could not open the form for your reason (${(err as Error).message}); nothing was decided. Click Reject again.`), log, respond);
    }
  };
}

export function registerActions(app: App, deps: BotDeps, opts: ListenerOptions = {}): void {
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTION.approve, approveButton(deps, opts));
  app.action<BlockAction<ButtonAction>>(APPROVAL_ACTION.reject, rejectButton(deps));
}
