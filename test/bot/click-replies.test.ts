import { APPROVAL_ACTION, approvalButtonValue } from '../../common/approval-buttons';
import { workflowIdFor } from '../../common/naming';
import { REJECT_VIEW } from '../../bot/reject-modal';
import type { StoredMessage } from '../harness/slack-api-standin';
import { eventually } from '../harness/child-process';
import { APPROVER, CHANNEL, OUTSIDER, REQUESTER, startBotKit, type BotKit } from './bot-kit';

/**
 * Issue 12: answers to a click land privately in the run's thread; Reject asks for a reason in a
 * modal (recorded with the decision, validated in the modal); Approve asks for confirmation.
 */
const json = (m: StoredMessage | undefined) => JSON.stringify(m?.blocks ?? []);
type Button = { action_id: string; value: string; confirm?: Record<string, unknown> };
const buttons = (m: StoredMessage) => ((m.blocks ?? []) as { type: string; elements?: Button[] }[]).find((b) => b.type === 'actions')?.elements ?? [];

describe('Slack click replies, the reject modal and the approve confirmation', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-clicks-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  const parentOf = (local: string) => kit.standin.parents(CHANNEL).find((m) => json(m).includes(`Mesh setup: ${local} ↔`));
  const approvalFor = (parent: StoredMessage, step: string) => kit.standin.thread(CHANNEL, parent.ts).find((m) => m.metadata?.event_payload.key === `approval:${step}`);
  const waitForGate = async (local: string) => {
    await kit.command(`setup ${local} ${local}-remote`);
    await eventually(() => !!parentOf(local) && !!approvalFor(parentOf(local)!, 'install-remote'), `the approval request of ${local}`);
    return { parent: parentOf(local)!, asked: approvalFor(parentOf(local)!, 'install-remote')! };
  };

  it('answers a click privately to the clicker, in the thread of the run (not at the channel top level)', async () => {
    const { parent, asked } = await waitForGate('thread-a');
    const value = approvalButtonValue({ workflowId: workflowIdFor('setup', 'thread-a', 'thread-a-remote'), step: 'install-remote' });
    await kit.click(APPROVAL_ACTION.approve, value, OUTSIDER, asked.ts);
    await eventually(() => kit.privateAnswersTo(OUTSIDER).length > 0, 'the answer to the outsider');
    const [answer] = kit.privateAnswersTo(OUTSIDER);
    expect(answer.text).toContain('You are not an approver');
    expect(answer).toMatchObject({ channel: CHANNEL, user: OUTSIDER, thread_ts: parent.ts });
    // Nobody else sees it, and nothing was posted in the channel or the thread for everyone.
    expect(kit.standin.ephemerals.filter((e) => e.text === answer.text).map((e) => e.user)).toEqual([OUTSIDER]);
    expect(kit.standin.responses.filter((r) => r.responseUrlId === `click-${OUTSIDER}`)).toEqual([]);

    // An approver's answer lands in the same thread.
    await kit.click(APPROVAL_ACTION.approve, value, APPROVER, asked.ts);
    await eventually(() => kit.privateAnswersTo(APPROVER).some((e) => e.text?.includes('You approved')), 'the approval answer');
    expect(kit.privateAnswersTo(APPROVER).find((e) => e.text?.includes('You approved'))).toMatchObject({ user: APPROVER, thread_ts: parent.ts });
    await kit.mesh.cancel(workflowIdFor('setup', 'thread-a', 'thread-a-remote'), { by: { id: 'U-CLEANUP' } });
  });

  it('puts a confirmation on Approve and none on Reject, which opens a modal instead', async () => {
    const { asked } = await waitForGate('confirm-a');
    const approve = buttons(asked).find((b) => b.action_id === APPROVAL_ACTION.approve)!;
    const reject = buttons(asked).find((b) => b.action_id === APPROVAL_ACTION.reject)!;
    expect(approve.confirm).toMatchObject({
      title: { type: 'plain_text', text: 'Approve this step?' },
      text: { type: 'plain_text', text: expect.stringContaining('Install Istio on remote runs now on confirm-a ↔ confirm-a-remote') },
      confirm: { type: 'plain_text', text: 'Approve' },
      deny: { type: 'plain_text', text: 'Back' },
    });
    expect(reject.confirm).toBeUndefined();
    await kit.mesh.cancel(workflowIdFor('setup', 'confirm-a', 'confirm-a-remote'), { by: { id: 'U-CLEANUP' } });
  });

  it('asks for the reason of a Reject in a modal, refuses a blank or too long one in the modal, and records it with the decision', async () => {
    const workflowId = workflowIdFor('setup', 'reason-a', 'reason-a-remote');
    const { parent, asked } = await waitForGate('reason-a');
    const { runId } = await kit.mesh.status(workflowId);
    const opened = kit.standin.views.length;
    const value = buttons(asked).find((b) => b.action_id === APPROVAL_ACTION.reject)!.value;
    await kit.click(APPROVAL_ACTION.reject, value, APPROVER, asked.ts);
    await eventually(() => kit.standin.views.length > opened, 'the reason modal');
    const view = kit.standin.views[opened];
    expect(view.trigger_id).toMatch(/^\d+\.\d+\.meshops$/); // the click's own trigger_id
    expect(view.view).toMatchObject({ type: 'modal', callback_id: REJECT_VIEW.callbackId });
    expect(JSON.parse(String(view.view.private_metadata))).toEqual({ workflowId, runId, step: 'install-remote', channel: CHANNEL, threadTs: parent.ts });
    // Opening the modal decides nothing.
    expect(await kit.mesh.status(workflowId)).toMatchObject({ phase: 'waiting-approval', approvals: [] });

    const blank = await kit.submitView(view, APPROVER, { [REJECT_VIEW.block]: { [REJECT_VIEW.action]: '   ' } });
    expect(blank.status).toBe(200);
    expect(JSON.parse(blank.body)).toEqual({ response_action: 'errors', errors: { [REJECT_VIEW.block]: expect.stringContaining('Say why you reject this step') } });
    const long = await kit.submitView(view, APPROVER, { [REJECT_VIEW.block]: { [REJECT_VIEW.action]: 'x'.repeat(501) } });
    expect(JSON.parse(long.body)).toEqual({ response_action: 'errors', errors: { [REJECT_VIEW.block]: 'Keep the reason to 500 characters (it has 501).' } });
    expect(await kit.mesh.status(workflowId)).toMatchObject({ phase: 'waiting-approval', approvals: [] });

    const reason = 'the remote cluster is being upgraded until Friday';
    expect(await kit.submitView(view, APPROVER, { [REJECT_VIEW.block]: { [REJECT_VIEW.action]: `  ${reason} ` } })).toEqual({ status: 200, body: '' });
    await eventually(async () => (await kit.mesh.status(workflowId)).phase === 'rejected', 'the run to end as rejected');
    const status = await kit.mesh.status(workflowId);
    expect(status.approvals).toEqual([expect.objectContaining({ step: 'install-remote', decision: 'reject', by: expect.objectContaining({ id: APPROVER }), reason })]);
    await eventually(() => json(kit.standin.message(CHANNEL, asked.ts)).includes('*Rejected*'), 'the buttons replaced by the decision');
    expect(json(kit.standin.message(CHANNEL, asked.ts))).toContain(reason);
    await eventually(() => kit.privateAnswersTo(APPROVER).some((e) => e.text?.includes('You rejected')), 'the answer to the approver');
    expect(kit.privateAnswersTo(APPROVER).find((e) => e.text?.includes('You rejected'))).toMatchObject({ thread_ts: parent.ts, text: expect.stringContaining(reason) });
  });

  it('checks four-eyes when the modal is submitted: the requester\'s own rejection is refused in the thread', async () => {
    const workflowId = workflowIdFor('setup', 'own-a', 'own-a-remote');
    const { parent, asked } = await waitForGate('own-a');
    const opened = kit.standin.views.length;
    await kit.click(APPROVAL_ACTION.reject, buttons(asked).find((b) => b.action_id === APPROVAL_ACTION.reject)!.value, REQUESTER, asked.ts);
    await eventually(() => kit.standin.views.length > opened, 'the reason modal');
    await kit.submitView(kit.standin.views[opened], REQUESTER, { [REJECT_VIEW.block]: { [REJECT_VIEW.action]: 'changed my mind' } });
    await eventually(() => kit.privateAnswersTo(REQUESTER).some((e) => e.text?.includes('four-eyes')), 'the refusal');
    expect(kit.privateAnswersTo(REQUESTER).find((e) => e.text?.includes('four-eyes'))).toMatchObject({ thread_ts: parent.ts });
    expect(await kit.mesh.status(workflowId)).toMatchObject({ phase: 'waiting-approval', approvals: [] });
    await kit.mesh.cancel(workflowId, { by: { id: 'U-CLEANUP' } });
  });
});
