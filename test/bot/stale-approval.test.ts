import { APPROVAL_ACTION } from '../../common/approval-buttons';
import { workflowIdFor } from '../../common/naming';
import type { StoredMessage } from '../harness/slack-api-standin';
import { eventually } from '../harness/child-process';
import { APPROVER, CHANNEL, startBotKit, type BotKit } from './bot-kit';

const json = (m: StoredMessage | undefined) => JSON.stringify(m?.blocks ?? []);

/** The Approve button's value as Slack sends it back on a click. */
function approveValue(message: StoredMessage): string {
  const actions = (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions');
  const button = actions?.elements?.find((e) => e.action_id === APPROVAL_ACTION.approve);
  if (!button) throw new Error(`no Approve button in ${json(message)}`);
  return button.value;
}

describe('approval buttons belong to their run', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-stale-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  const workflowId = workflowIdFor('setup', 'yesterday-local', 'yesterday-remote');
  const parents = () => kit.standin.parents(CHANNEL).filter((m) => json(m).includes('Mesh setup: yesterday-local ↔'));
  const approvalIn = (parent: StoredMessage) => kit.standin.thread(CHANNEL, parent.ts).find((m) => m.metadata?.event_payload.key === 'approval:install-remote');
  const answersTo = (userId: string) => kit.privateAnswersTo(userId);

  it('closes a timed-out gate in Slack, and its old button cannot approve the next run of the pair', async () => {
    await kit.command('setup yesterday-local yesterday-remote timeout=2s');
    await eventually(() => parents().length === 1 && !!approvalIn(parents()[0]), 'the first run asking for approval');
    const old = approvalIn(parents()[0])!;
    const oldValue = approveValue(old);
    const { runId: oldRunId } = await kit.mesh.status(workflowId);

    // Nobody decides: the run times out and the request in its thread says the gate is closed.
    await eventually(async () => (await kit.mesh.status(workflowId)).phase === 'timed-out', 'the first run timing out');
    // The run has closed once it told Slack how it ended; only then is the pair free for the next run.
    await eventually(async () => (await kit.client.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING', 'the first run closing');
    await eventually(() => json(kit.standin.message(CHANNEL, old.ts)).includes('Approval closed'), 'the closed gate in the thread');
    const closed = kit.standin.message(CHANNEL, old.ts)!;
    expect(json(closed)).toContain('*Approval closed: Install Istio on remote* (`install-remote`): no one decided within 2s. These buttons no longer decide anything.');
    expect(json(closed)).not.toContain(APPROVAL_ACTION.approve);

    // Today's run of the same pair waits at the same gate.
    await kit.command('setup yesterday-local yesterday-remote');
    await eventually(() => parents().length === 2 && !!approvalIn(parents()[1]), 'the second run asking for approval');
    const today = await kit.mesh.status(workflowId);
    expect(today.runId).not.toBe(oldRunId);
    expect(today.phase).toBe('waiting-approval');

    // Yesterday's button (a client that kept the message, a slow click) is refused, naming the ended run.
    await kit.click(APPROVAL_ACTION.approve, oldValue, APPROVER, old.ts);
    await eventually(() => answersTo(APPROVER).length > 0, 'the refusal');
    expect(answersTo(APPROVER)[0].text).toContain(`This approve is for run ${oldRunId} of ${workflowId}, which has ended (timed-out); its gate closed with it.`);
    const after = await kit.mesh.status(workflowId);
    expect(after).toMatchObject({ runId: today.runId, phase: 'waiting-approval', approvals: [] });

    // Cancelling today's run closes its gate too, saying who cancelled.
    const current = approvalIn(parents()[1])!;
    await kit.mesh.cancel(workflowId, { by: { id: 'U-CLEANUP' } });
    await eventually(() => json(kit.standin.message(CHANNEL, current.ts)).includes('Approval closed'), 'the cancelled run closing its gate');
    expect(json(kit.standin.message(CHANNEL, current.ts))).toContain('the run was cancelled by <@U-CLEANUP>');
  });
});
