import { workflowIdFor } from '../../common/naming';
import { eventually } from '../harness/child-process';
import type { StoredMessage } from '../harness/slack-api-standin';
import { CHANNEL, startBotKit, type BotKit } from './bot-kit';

/**
 * The start reply links to the run's parent message (chat.getPermalink), and the approval request
 * in its thread mentions the approver group the policy names by handle (`oncall`) by its id, so
 * Slack notifies the group.
 */
describe('the start reply links to the run message; approver groups are mentioned by id', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-permalink-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  const ask = async (text: string): Promise<string> => (await kit.ask(text)).text ?? '';
  const parentsOf = (workflowId: string): StoredMessage[] =>
    kit.standin.parents(CHANNEL).filter((m) => m.metadata?.event_type === 'meshops_run' && m.metadata.event_payload.workflow_id === workflowId && m.metadata.event_payload.key === 'parent');
  const linkTo = (m: StoredMessage) => `<https://meshops.example.slack.com/archives/${CHANNEL}/p${m.ts.replace('.', '')}|its message>`;

  it("links the reply to the run's parent message, and a later run of the same pair to its own message", async () => {
    const workflowId = workflowIdFor('setup', 'link-a', 'link-b');
    const first = await ask('setup link-a link-b');
    expect(first).toContain('Started mesh setup of `link-a` ↔ `link-b` as run `mesh/link-a--link-b`');
    const [parent] = parentsOf(workflowId);
    expect(parent).toBeDefined();
    expect(first).toContain(linkTo(parent));
    expect(kit.standin.callsTo('chat.getPermalink').map((c) => c.args)).toEqual([expect.objectContaining({ channel: CHANNEL, message_ts: parent.ts })]);

    // The approval request in its thread mentions the oncall group by id (the policy names it by handle).
    await eventually(() => kit.standin.thread(CHANNEL, parent.ts).some((m) => m.metadata?.event_payload.key === 'approval:install-remote'), 'the approval request');
    const asked = kit.standin.thread(CHANNEL, parent.ts).find((m) => m.metadata?.event_payload.key === 'approval:install-remote')!;
    expect(JSON.stringify(asked.blocks)).toContain('<!subteam^SONCALL|@oncall>, please approve or reject.');

    // The run ends; the next run of the pair reuses the run id, and its reply links to its own message, not the first.
    expect(await ask(`cancel ${workflowId}`)).toContain('Cancelling');
    await eventually(async () => (await kit.client.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING', 'the first run to end');
    const second = await ask('setup link-a link-b');
    const parents = parentsOf(workflowId);
    expect(parents).toHaveLength(2);
    expect(second).toContain(linkTo(parents[1]));
    expect(second).not.toContain(linkTo(parents[0]));
  });

  it('reads the channel once when Slack rate-limits it, and answers without a link rather than hammering', async () => {
    kit.standin.rateLimit('conversations.history', { times: 50, retryAfter: 30 });
    const before = kit.standin.callsTo('conversations.history').length;
    const reply = await ask('setup limited-a limited-b');
    expect(reply).toContain('Started mesh setup of `limited-a` ↔ `limited-b`');
    expect(reply).not.toContain('|its message>');
    // One read got the 429; its Retry-After (30 s) outlasts the wait, so no other read was made.
    expect(kit.standin.callsTo('conversations.history').length - before).toBe(1);
  });
});
