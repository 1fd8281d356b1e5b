import { workflowIdFor } from '../../common/naming';
import { CHANNEL, DM_OF_PEOPLE, DM_WITH_BOT, PRIVATE_INVITED, PRIVATE_NOT_INVITED, PUBLIC_NOT_INVITED, REQUESTER, startBotKit, type BotKit } from './bot-kit';

/**
 * Before a run starts, the bot checks with conversations.info that it can post and read back in
 * the channel (the strict stand-in answers as Slack does for each kind of conversation).
 */
describe('/mesh setup only starts a run in a channel meshops is in', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-channel-check-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  /** Sends `/mesh text` from `channel` and returns the ephemeral answer. */
  const ask = async (text: string, channel: string): Promise<string> => (await kit.ask(text, REQUESTER, channel)).text ?? '';
  const exists = (workflowId: string) => kit.runExists(workflowId);
  const infoCalls = (channel: string) => kit.standin.callsTo('conversations.info').filter((c) => c.args.channel === channel);

  it('refuses a private channel it was not invited to, with the fix, and starts nothing', async () => {
    const answer = await ask('setup priv-a priv-b', PRIVATE_NOT_INVITED);
    expect(answer).toContain('not in this private channel');
    expect(answer).toContain('/invite @meshops');
    expect(await exists(workflowIdFor('setup', 'priv-a', 'priv-b'))).toBe(false);
    expect(kit.standin.parents(PRIVATE_NOT_INVITED)).toEqual([]);
    expect(kit.logs.some((l) => l.msg === 'refused /mesh command: meshops cannot run in this channel' && l.channel === PRIVATE_NOT_INVITED && l.reason === 'private')).toBe(true);
  });

  it('refuses a DM, with the bot or between two people, and starts nothing', async () => {
    for (const [channel, pair] of [
      [DM_WITH_BOT, ['dm-a', 'dm-b']],
      [DM_OF_PEOPLE, ['dm-c', 'dm-d']],
    ] as const) {
      const answer = await ask(`setup ${pair[0]} ${pair[1]}`, channel);
      expect(answer).toContain('not in a direct message');
      expect(answer).toContain('/invite @meshops');
      expect(await exists(workflowIdFor('setup', pair[0], pair[1]))).toBe(false);
    }
  });

  it('refuses a public channel it is not in: it could post there (chat:write.public) but not read it back to retry a post', async () => {
    const answer = await ask('verify pub-a pub-b', PUBLIC_NOT_INVITED);
    expect(answer).toContain('meshops is not in this channel');
    expect(answer).toContain('not_in_channel');
    expect(answer).toContain('/invite @meshops');
    expect(await exists(workflowIdFor('verify', 'pub-a', 'pub-b'))).toBe(false);
    // once invited, the same command starts the run: a refusal is not cached
    kit.standin.invite(PUBLIC_NOT_INVITED, kit.standin.botUserId);
    expect(await ask('verify pub-a pub-b', PUBLIC_NOT_INVITED)).toContain('Started mesh verify of `pub-a` ↔ `pub-b`');
    expect(await exists(workflowIdFor('verify', 'pub-a', 'pub-b'))).toBe(true);
  });

  it('says it could not check the channel when Slack fails, starts nothing, and checks again next time (then cached)', async () => {
    kit.standin.failNext('conversations.info', 'internal_error');
    const answer = await ask('setup fail-a fail-b', PRIVATE_INVITED);
    expect(answer).toContain('Could not check the channel');
    expect(answer).toContain('try again');
    expect(await exists(workflowIdFor('setup', 'fail-a', 'fail-b'))).toBe(false);
    expect(kit.logs.some((l) => l.msg === 'could not check the channel; nothing started' && l.channel === PRIVATE_INVITED)).toBe(true);

    kit.standin.rateLimit('conversations.info', { retryAfter: 30 });
    expect(await ask('setup fail-a fail-b', PRIVATE_INVITED)).toContain('Could not check the channel');
    expect(await exists(workflowIdFor('setup', 'fail-a', 'fail-b'))).toBe(false);

    // Slack answers again: a private channel meshops is in runs it, and the answer is remembered
    expect(await ask('setup fail-a fail-b', PRIVATE_INVITED)).toContain('Started mesh setup of `fail-a` ↔ `fail-b`');
    const calls = infoCalls(PRIVATE_INVITED).length;
    expect(await ask('verify cached-a cached-b', PRIVATE_INVITED)).toContain('Started mesh verify');
    expect(infoCalls(PRIVATE_INVITED)).toHaveLength(calls);
  });

  it('starts runs in a public channel it is in, asking conversations.info once for many commands', async () => {
    expect(await ask('verify many-a many-b', CHANNEL)).toContain('Started mesh verify');
    expect(await ask('verify many-c many-d', CHANNEL)).toContain('Started mesh verify');
    expect(infoCalls(CHANNEL)).toHaveLength(1);
  });
});
