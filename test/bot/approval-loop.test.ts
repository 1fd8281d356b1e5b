import { APPROVAL_ACTION, approvalButtonValue } from '../../common/approval-buttons';
import { workflowIdFor } from '../../common/naming';
import type { StoredMessage } from '../harness/slack-api-standin';
import { eventually } from '../harness/child-process';
import { APPROVER, CHANNEL, REQUESTER, startBotKit, type BotKit } from './bot-kit';

const json = (m: StoredMessage | undefined) => JSON.stringify(m?.blocks ?? []);

describe('the full Slack loop: command, parent message, approval, click, summary', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-loop-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  const answersTo = (userId: string) => kit.privateAnswersTo(userId);
  const parentOf = (local: string) => kit.standin.parents(CHANNEL).find((m) => json(m).includes(`Mesh setup: ${local} ↔`));
  const threadOf = (parent: StoredMessage) => kit.standin.thread(CHANNEL, parent.ts);
  const approvalFor = (parent: StoredMessage, step: string) => threadOf(parent).find((m) => m.metadata?.event_payload.key === `approval:${step}`);

  it('runs to done once an on-call approver approves both gates; the requester\'s own click is refused and changes nothing', async () => {
    const workflowId = workflowIdFor('setup', 'loop-local', 'loop-remote');
    const res = await kit.command('setup loop-local loop-remote requests=40');
    expect(res).toEqual({ status: 200, body: '' });

    await eventually(() => !!parentOf('loop-local') && !!approvalFor(parentOf('loop-local')!, 'install-remote'), 'the parent message and the first approval request');
    const parent = parentOf('loop-local')!;
    const asked = approvalFor(parent, 'install-remote')!;
    expect(json(asked)).toContain('Approval needed: Install Istio on remote');
    expect(json(asked)).toContain('@oncall');
    expect(json(parent)).toContain(':raised_hand: *Install Istio on remote* — waiting for approval');
    expect(json(parent)).toContain(':white_check_mark: *Check both clusters* — done');
    const value = approvalButtonValue({ workflowId, step: 'install-remote' });

    // The requester clicks Approve on their own run: four-eyes refuses it, ephemerally.
    const before = { updates: parent.updates, blocks: json(asked), status: await kit.mesh.status(workflowId) };
    expect(await kit.click(APPROVAL_ACTION.approve, value, REQUESTER, asked.ts)).toEqual({ status: 200, body: '' });
    await eventually(() => answersTo(REQUESTER).length > 0, 'the refusal to the requester');
    expect(answersTo(REQUESTER)[0]).toMatchObject({ via: 'chat.postEphemeral', user: REQUESTER, thread_ts: parent.ts });
    expect(answersTo(REQUESTER)[0].text).toContain('four-eyes is on');
    expect(kit.logs).toContainEqual(expect.objectContaining({ msg: 'denied approval click', user: REQUESTER }));
    const after = await kit.mesh.status(workflowId);
    expect(after.approvals).toEqual([]);
    expect(after.phase).toBe('waiting-approval');
    expect(after).toEqual(before.status);
    expect(json(asked)).toBe(before.blocks); // the buttons are still there
    expect(parent.updates).toBe(before.updates);
    expect(kit.steps.count('install-remote')).toBe(0);

    // An on-call approver (through the oncall user group) approves: the run goes on.
    await kit.click(APPROVAL_ACTION.approve, value, APPROVER, asked.ts);
    await eventually(() => json(asked).includes('*Approved*'), 'the buttons to be replaced by the decision');
    expect(json(asked)).not.toContain(APPROVAL_ACTION.approve);
    expect(json(asked)).toMatch(/\*Approved\*: Install Istio on remote \(`install-remote`\) by <@UAPPROVER> at <!date\^\d+\^\{date_short_pretty\} at \{time_secs\}\|\d{4}-\d\d-\d\dT/);
    expect(answersTo(APPROVER)[0].text).toContain('You approved *Install Istio on remote*');

    await eventually(() => !!approvalFor(parent, 'link-secret'), 'the second approval request');
    const second = approvalFor(parent, 'link-secret')!;
    await kit.click(APPROVAL_ACTION.approve, approvalButtonValue({ workflowId, step: 'link-secret' }), APPROVER, second.ts);

    await eventually(() => threadOf(parent).some((m) => m.metadata?.event_payload.key === 'summary'), 'the final summary in the thread', 90_000);
    const summary = threadOf(parent).find((m) => m.metadata?.event_payload.key === 'summary')!;
    expect(json(summary)).toContain(':white_check_mark: done*: mesh setup of loop-local ↔ loop-remote');
    expect(json(summary)).toContain('Approved `install-remote` by <@UAPPROVER>');
    expect(json(summary)).toContain('Approved `link-secret` by <@UAPPROVER>');
    expect(json(parent)).toContain('*:white_check_mark: done*');
    expect(json(parent)).not.toContain(':white_circle:');
    expect(json(parent)).toContain('http://localhost:8233/namespaces/default/workflows/mesh%2Floop-local--loop-remote');
    expect(kit.standin.parents(CHANNEL).filter((m) => json(m).includes('loop-local'))).toHaveLength(1);
    const final = await kit.mesh.status(workflowId);
    expect(final.phase).toBe('done');
    expect(final.approvals.map((a) => [a.step, a.by.id, a.by.groups])).toEqual([
      ['install-remote', APPROVER, ['SONCALL', 'oncall']],
      ['link-secret', APPROVER, ['SONCALL', 'oncall']],
    ]);
  });

  it('ends the run as rejected when an approver clicks Reject, and says what to do next', async () => {
    const workflowId = workflowIdFor('setup', 'reject-local', 'reject-remote');
    await kit.command('setup reject-local reject-remote');
    await eventually(() => !!parentOf('reject-local') && !!approvalFor(parentOf('reject-local')!, 'install-remote'), 'the approval request');
    const parent = parentOf('reject-local')!;
    const asked = approvalFor(parent, 'install-remote')!;
    const installsBefore = kit.steps.count('install-remote'); // the fakes are shared by the runs of this file
    // Reject opens a modal for the reason; submitting it decides.
    const views = kit.standin.views.length;
    await kit.click(APPROVAL_ACTION.reject, approvalButtonValue({ workflowId, step: 'install-remote' }), APPROVER, asked.ts);
    await eventually(() => kit.standin.views.length > views, 'the reason modal');
    await kit.submitView(kit.standin.views[views], APPROVER, { reason: { reason_input: 'the remote cluster is being upgraded' } });
    await eventually(() => threadOf(parent).some((m) => m.metadata?.event_payload.key === 'summary'), 'the summary');
    expect(json(asked)).toContain(':no_entry: *Rejected*: Install Istio on remote');
    expect(json(asked)).not.toContain(APPROVAL_ACTION.reject);
    const summary = json(threadOf(parent).find((m) => m.metadata?.event_payload.key === 'summary'));
    expect(summary).toContain(':no_entry: rejected*: mesh setup of reject-local ↔ reject-remote');
    expect(summary).toContain('/mesh teardown reject-local reject-remote');
    expect(answersTo(APPROVER).at(-1)?.text).toContain('You rejected *Install Istio on remote*');
    expect((await kit.mesh.status(workflowId)).phase).toBe('rejected');
    expect(kit.steps.count('install-remote')).toBe(installsBefore);
  });

  it('shows the workflow validator\'s refusal to the clicker, e.g. for a gate that is not open', async () => {
    const workflowId = workflowIdFor('setup', 'stale-local', 'stale-remote');
    await kit.command('setup stale-local stale-remote');
    await eventually(() => !!parentOf('stale-local') && !!approvalFor(parentOf('stale-local')!, 'install-remote'), 'the first approval request');
    const asked = approvalFor(parentOf('stale-local')!, 'install-remote')!;
    // A button for link-secret while install-remote is the open gate (an old or hand-made button).
    await kit.click(APPROVAL_ACTION.approve, approvalButtonValue({ workflowId, step: 'link-secret' }), 'UADMIN', asked.ts);
    await eventually(() => answersTo('UADMIN').length > 0, 'the refusal');
    expect(answersTo('UADMIN')[0].text).toContain('The open gate is for install-remote, not link-secret');
    expect((await kit.mesh.status(workflowId)).approvals).toEqual([]);
    await kit.mesh.cancel(workflowId, { by: { id: 'U-CLEANUP' } });
  });

  it('refuses someone who is not an approver, naming who is', async () => {
    const workflowId = workflowIdFor('setup', 'stale-local', 'stale-remote');
    await kit.click(APPROVAL_ACTION.approve, approvalButtonValue({ workflowId, step: 'install-remote' }), 'UOUTSIDER', '1.1');
    await eventually(() => answersTo('UOUTSIDER').length > 0, 'the refusal');
    expect(answersTo('UOUTSIDER')[0].text).toContain('You are not an approver. Approvers: @oncall; admins: <@UADMIN>.');
  });
});
