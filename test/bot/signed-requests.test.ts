import { workflowIdFor } from '../../common/naming';
import { eventually } from '../harness/child-process';
import { startBotKit, SIGNING_SECRET, type BotKit } from './bot-kit';
import { postToSlackEndpoint, slashCommandBody } from '../harness/slack-requests';

describe('Bolt HTTP receiver: signed /mesh requests', () => {
  let kit: BotKit;
  // No worker: these tests are about what reaches Temporal, not about running it.
  beforeAll(async () => {
    kit = await startBotKit(`bot-signed-${Date.now()}`, { worker: false });
  });
  afterAll(() => kit.stop());

  const answersTo = (id: string) => kit.standin.ephemerals.filter((e) => e.responseUrlId === id);
  const exists = (workflowId: string) => kit.runExists(workflowId);
  const body = (text: string, id: string) => slashCommandBody({ text, userId: 'UREQUESTER', channelId: 'CMESH', responseUrl: kit.standin.responseUrl(id, { channel: 'CMESH', user: 'UREQUESTER' }) });

  it('acks a signed /mesh setup local remote with an empty 200 and starts the workflow', async () => {
    const res = await postToSlackEndpoint(kit.eventsUrl, body('setup local remote', 'ok'), { secret: SIGNING_SECRET });
    expect(res).toEqual({ status: 200, body: '' });
    await eventually(() => answersTo('ok').length > 0, 'the answer through response_url');
    expect(answersTo('ok')[0].text).toContain('Started mesh setup of `local` ↔ `remote` as run `mesh/local--remote`');
    expect(answersTo('ok')[0].response_type).toBe('ephemeral');
    const described = await kit.client.workflow.getHandle(workflowIdFor('setup', 'local', 'remote')).describe();
    expect(described.type).toBe('meshSetup');
    const [input] = (await kit.client.workflow.getHandle(workflowIdFor('setup', 'local', 'remote')).fetchHistory()).events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
    const started = JSON.parse(Buffer.from(input.data!).toString('utf8')) as { requester: unknown; spec: { approval: unknown } };
    expect(started.requester).toEqual({ id: 'UREQUESTER', name: 'urequester', groups: ['SONCALL', 'oncall'], via: 'slack', channel: 'CMESH' });
    // the policy's approvers and four-eyes rule travel with the run, so the workflow enforces them too
    expect(started.spec.approval).toMatchObject({ approvers: { users: ['UADMIN'], groups: ['oncall'] }, fourEyes: true });
  });

  it('refuses a forged signature and a timestamp older than five minutes, and starts nothing', async () => {
    const forged = await postToSlackEndpoint(kit.eventsUrl, body('setup forged-a forged-b', 'forged'), { secret: SIGNING_SECRET, signature: `v0=${'0'.repeat(64)}` });
    const wrongSecret = await postToSlackEndpoint(kit.eventsUrl, body('setup forged-a forged-b', 'forged'), { secret: 'not-the-signing-secret' });
    const stale = await postToSlackEndpoint(kit.eventsUrl, body('setup stale-a stale-b', 'stale'), { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) - 5 * 60 - 10 });
    expect([forged.status, wrongSecret.status, stale.status]).toEqual([401, 401, 401]);

    // A genuine request sent after them is processed to the end; by then the refused ones would have been too.
    await postToSlackEndpoint(kit.eventsUrl, body('setup after-a after-b', 'after'), { secret: SIGNING_SECRET });
    await eventually(() => answersTo('after').length > 0, 'the genuine request to be answered');
    expect(await exists(workflowIdFor('setup', 'after-a', 'after-b'))).toBe(true);
    expect(await exists(workflowIdFor('setup', 'forged-a', 'forged-b'))).toBe(false);
    expect(await exists(workflowIdFor('setup', 'stale-a', 'stale-b'))).toBe(false);
    expect(answersTo('forged')).toEqual([]);
    expect(answersTo('stale')).toEqual([]);
  });

  it('answers bad text with what was wrong and the right form, ephemerally', async () => {
    await postToSlackEndpoint(kit.eventsUrl, body('setup local', 'bad'), { secret: SIGNING_SECRET });
    await eventually(() => answersTo('bad').length > 0, 'the rejection');
    expect(answersTo('bad')[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(answersTo('bad')[0].text).toContain('`setup` needs the local and the remote kubeconfig context.');
    expect(answersTo('bad')[0].text).toContain('`/mesh setup <local-context> <remote-context> [key=value…]`');
  });

  it('reports a second setup of the same pair ephemerally, naming the running run', async () => {
    await postToSlackEndpoint(kit.eventsUrl, body('setup twice-a twice-b', 'first'), { secret: SIGNING_SECRET });
    await eventually(() => answersTo('first').length > 0, 'the first start');
    await postToSlackEndpoint(kit.eventsUrl, body('setup twice-a twice-b', 'second'), { secret: SIGNING_SECRET });
    await eventually(() => answersTo('second').length > 0, 'the second answer');
    expect(answersTo('second')[0].text).toContain('already running as workflow mesh/twice-a--twice-b');
  });

  it('denies a channel the policy does not list, ephemerally, and logs the denial', async () => {
    const other = slashCommandBody({ text: 'setup deny-a deny-b', userId: 'UREQUESTER', channelId: 'COTHER', responseUrl: kit.standin.responseUrl('denied', { channel: 'COTHER', user: 'UREQUESTER' }) });
    await postToSlackEndpoint(kit.eventsUrl, other, { secret: SIGNING_SECRET });
    await eventually(() => answersTo('denied').length > 0, 'the denial');
    expect(answersTo('denied')[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(answersTo('denied')[0].text).toContain('This channel may not use /mesh');
    expect(kit.logs).toContainEqual(expect.objectContaining({ msg: 'denied /mesh command', user: 'UREQUESTER', channel: 'COTHER', verb: 'setup' }));
    expect(await exists(workflowIdFor('setup', 'deny-a', 'deny-b'))).toBe(false);
  });

  it('refuses gates= that drops a gate the policy requires, naming the required gates, and starts nothing', async () => {
    for (const [text, id] of [['setup nogate-a nogate-b gates=none', 'nogates'], ['setup nogate-a nogate-b gates=link-secret', 'onegate']]) {
      await postToSlackEndpoint(kit.eventsUrl, body(text, id), { secret: SIGNING_SECRET });
      await eventually(() => answersTo(id).length > 0, `the refusal of ${text}`);
      expect(answersTo(id)[0]).toMatchObject({ response_type: 'ephemeral' });
      expect(answersTo(id)[0].text).toContain(':lock: The policy requires approval at `install-remote`, `link-secret`; `gates=` may add gates but not remove these');
    }
    expect(answersTo('onegate')[0].text).toContain('you left out `install-remote`');
    expect(kit.logs).toContainEqual(expect.objectContaining({ msg: 'denied /mesh command', user: 'UREQUESTER', channel: 'CMESH', verb: 'setup', reason: expect.stringContaining('The policy requires approval') }));
    expect(await exists(workflowIdFor('setup', 'nogate-a', 'nogate-b'))).toBe(false);

    // Adding a gate is fine: the run waits at the required ones and the added one.
    await postToSlackEndpoint(kit.eventsUrl, body('setup addgate-a addgate-b gates=wait-local,install-remote,link-secret', 'addgate'), { secret: SIGNING_SECRET });
    await eventually(() => answersTo('addgate').length > 0, 'the start');
    expect(answersTo('addgate')[0].text).toContain('Started mesh setup');
    const [input] = (await kit.client.workflow.getHandle(workflowIdFor('setup', 'addgate-a', 'addgate-b')).fetchHistory()).events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
    const started = JSON.parse(Buffer.from(input.data!).toString('utf8')) as { spec: { approval: { gates: string[] } } };
    expect([...started.spec.approval.gates].sort()).toEqual(['install-remote', 'link-secret', 'wait-local']);
  });
});
