import { playRun, type ApprovalAsk, type Decision } from '../../demo/conversation';
import { PLAIN } from '../../demo/mrkdwn';
import { ChannelView } from '../../demo/slack-view';
import { eventually } from '../harness/child-process';
import { APPROVER, CHANNEL, OUTSIDER, REQUESTER, SIGNING_SECRET, startBotKit, type BotKit } from '../bot/bot-kit';

/**
 * The demo's Slack side against the bot as it runs (Bolt's HTTP receiver, real Temporal, the real
 * notifier, fake steps): signed commands and clicks in, the channel rendered as a person sees it.
 */
describe('the demo conversation: /mesh setup typed, each gate approved by a click, the channel as Slack shows it', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`demo-conversation-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  const people = { requester: { id: REQUESTER, name: 'alice' }, approver: { id: APPROVER, name: 'bob' } };
  const viewOf = () =>
    new ChannelView(kit.standin, { channel: CHANNEL, channelName: 'mesh-ops', botName: 'meshops', names: { users: { [REQUESTER]: 'alice', [APPROVER]: 'bob' }, groups: { SONCALL: 'oncall' } }, style: PLAIN });
  /** One run played against the kit: `text` typed by alice, each gate decided by `decide`, shown in `view`. */
  const play = (text: string, decide: (ask: ApprovalAsk) => Promise<Decision>, view?: ChannelView, approver = people.approver) =>
    playRun({
      requester: people.requester,
      approver,
      eventsUrl: kit.eventsUrl,
      signingSecret: SIGNING_SECRET,
      standin: kit.standin,
      temporal: kit.client,
      channel: CHANNEL,
      text,
      decide,
      onTyped: (user, typed, kind) => view?.typed(user.id, typed, kind),
    });

  it('approves both gates as the on-call user and ends done, the buttons replaced by the decisions', async () => {
    const view = viewOf();
    const asks: { step: string; screen: string[] }[] = [];
    const decide = async (ask: ApprovalAsk): Promise<Decision> => {
      asks.push({ step: ask.step, screen: view.render() });
      return 'approve';
    };
    const status = await play('setup demo-local demo-remote', decide, view);

    expect(status.phase).toBe('done');
    expect(status.approvals.map((a) => [a.step, a.by.id])).toEqual([['install-remote', APPROVER], ['link-secret', APPROVER]]);
    expect(asks.map((a) => a.step)).toEqual(['install-remote', 'link-secret']);
    const atFirstGate = asks[0].screen.join('\n');
    expect(atFirstGate).toContain('alice');
    expect(atFirstGate).toContain('  /mesh setup demo-local demo-remote');
    expect(atFirstGate).toMatch(/meshops APP {2}Only visible to alice\n {2}🚀 Started mesh setup of demo-local ↔ demo-remote as run mesh\/demo-local--demo-remote/);
    expect(atFirstGate).toContain('  Mesh setup: demo-local ↔ demo-remote');
    expect(atFirstGate).toContain('  ✋ Install Istio on remote — waiting for approval');
    expect(atFirstGate).toMatch(/│ {3}✋ Approval needed: Install Istio on remote .*\n.*@oncall, please approve or reject\. @alice requested the run and may not approve it \(four-eyes\)\.\n {2}│ {3}\[ Approve \] {2}\[ Reject \]/);

    // the notifier's last chat.update and summary may land just after the run's result
    await eventually(() => view.render().join('\n').includes('✅ done: mesh setup of demo-local'), 'the summary in the thread');
    const end = view.render().join('\n');
    expect(end).not.toContain('[ Approve ]');
    expect(end).toMatch(/│ {3}✅ Approved: Install Istio on remote \(install-remote\) by @bob at \d{4}-/);
    expect(end).toMatch(/│ {3}✅ Approved: Link remote cluster secret \(link-secret\) by @bob/);
    expect(end).toMatch(/meshops APP {2}\d\d:\d\d:\d\d {2}\(edited\)\n {2}Mesh setup: demo-local ↔ demo-remote\n {2}✅ done in /);
    expect(end).toContain('│   ✅ done: mesh setup of demo-local ↔ demo-remote');
    expect(end).toContain('Only visible to bob');
    expect(end).toMatch(/ {2}↳ bob clicked Approve on install-remote \(\d\d:\d\d:\d\d\)/);
  });

  it('ends the run rejected when the approver rejects, and the channel says what to do next', async () => {
    const view = viewOf();
    const installsBefore = kit.steps.count('install-remote');
    const status = await play('setup reject-demo-local reject-demo-remote', async () => 'reject', view);
    expect(status.phase).toBe('rejected');
    expect(kit.steps.count('install-remote')).toBe(installsBefore);
    await eventually(() => view.render().join('\n').includes('Next: Steps before the gate stay installed.'), 'the summary with the next step');
    const end = view.render().join('\n');
    expect(end).toMatch(/⛔ Rejected: Install Istio on remote \(install-remote\) by @bob/);
    expect(end).toContain('Next: Steps before the gate stay installed.');
  });

  it('stops with the bot\'s words when it refuses a click, instead of waiting at the gate', async () => {
    const run = play('setup refused-local refused-remote', async () => 'approve', undefined, { id: OUTSIDER, name: 'mallory' });
    await expect(run).rejects.toThrow(/^the bot refused mallory's approve of install-remote: .*not an approver/);
    await kit.mesh.cancel('mesh/refused-local--refused-remote', { by: { id: 'U-CLEANUP' } });
  });

  it('stops with the bot\'s words when it refuses the command, instead of waiting for a run message', async () => {
    const run = play('setup refused-cmd-local refused-cmd-remote rollback=maybe', async () => 'approve');
    await expect(run).rejects.toThrow(/^the bot refused \/mesh setup refused-cmd-local refused-cmd-remote rollback=maybe: /);
  });
});
