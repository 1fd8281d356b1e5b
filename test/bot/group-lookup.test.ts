import { APPROVAL_ACTION, approvalButtonValue } from '../../common/approval-buttons';
import { workflowIdFor } from '../../common/naming';
import { createBotLogger } from '../../bot/logger';
import { requestPathWebClient } from '../../bot/slack-clients';
import { GroupLookupError, createUserGroupResolver } from '../../bot/user-groups';
import type { StoredMessage } from '../harness/slack-api-standin';
import { SlackApiStandin } from '../harness/slack-api-standin';
import { eventually } from '../harness/child-process';
import { APPROVER, CHANNEL, REQUESTER, startBotKit, type BotKit } from './bot-kit';

/**
 * Issue 12: a failed, slow or rate-limited usergroups.list is never read as "in no group" (which
 * says "you are not an approver"); Slack's Retry-After is honoured; a recent answer stands in.
 */
describe('group lookup against the stand-in', () => {
  let standin: SlackApiStandin;
  const lines: string[] = [];
  const logger = createBotLogger('info', { write: (l: string) => void lines.push(l) });
  beforeEach(async () => {
    standin = await SlackApiStandin.start({ botToken: 'xoxb-lookup', usergroups: [{ id: 'SONCALL', handle: 'oncall', users: ['U1'] }] });
  });
  afterEach(() => standin.close());
  const web = () => requestPathWebClient('xoxb-lookup', standin.apiUrl);

  it('honours a 429\'s Retry-After: "could not check your groups, try again in 30 s", and no call to Slack before it has passed', async () => {
    const groups = createUserGroupResolver(web(), logger);
    standin.rateLimit('usergroups.list', { times: 1, retryAfter: 30 });
    const first = await groups('U1').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(GroupLookupError);
    expect(first).toMatchObject({ why: 'rate-limited', retryAfterSeconds: 30 });
    expect((first as Error).message).toBe('Could not check your Slack user groups (Slack is rate-limiting usergroups.list), so nothing was done; try again in 30 s.');
    await expect(groups('U1')).rejects.toMatchObject({ why: 'rate-limited' });
    expect(standin.callsTo('usergroups.list').map((c) => c.error)).toEqual(['ratelimited']);
  });

  it('says it could not check when usergroups.list fails or is slow and no recent answer exists', async () => {
    const groups = createUserGroupResolver(web(), logger, { waitMs: 200 });
    standin.failNext('usergroups.list', 'internal_error', 2);
    await expect(groups('U1')).rejects.toMatchObject({ name: 'GroupLookupError', why: 'failed' });
    standin.slowDown('usergroups.list', 3_000, 2);
    await expect(groups('U1')).rejects.toMatchObject({ name: 'GroupLookupError', why: 'slow' });
    expect(lines.join('')).toContain('could not list Slack user groups');
  });

  it('uses the last answer (past its TTL, within the staleness bound) when Slack rate-limits, fails or is slow, and the fresh one once Slack answers', async () => {
    const groups = createUserGroupResolver(web(), logger, { ttlMs: 0, waitMs: 200 });
    await expect(groups('U1')).resolves.toEqual(['SONCALL', 'oncall']);
    standin.failNext('usergroups.list', 'internal_error');
    await expect(groups('U1')).resolves.toEqual(['SONCALL', 'oncall']);
    standin.rateLimit('usergroups.list', { times: 1, retryAfter: 30 });
    await expect(groups('U1')).resolves.toEqual(['SONCALL', 'oncall']);
    await expect(groups('U1')).resolves.toEqual(['SONCALL', 'oncall']); // within Retry-After: Slack is not asked
    expect(standin.callsTo('usergroups.list').map((c) => c.error)).toEqual([undefined, 'internal_error', 'ratelimited']);

    // Slow: the request does not wait for Slack beyond waitMs; the answer stands in.
    const other = createUserGroupResolver(web(), logger, { ttlMs: 0, waitMs: 200 });
    await expect(other('U1')).resolves.toEqual(['SONCALL', 'oncall']);
    standin.slowDown('usergroups.list', 1_500);
    await expect(other('U1')).resolves.toEqual(['SONCALL', 'oncall']);
    expect(lines.join('')).toContain('usergroups.list is slow; using the last answer');
  });

  it('does not use an answer older than the staleness bound', async () => {
    const groups = createUserGroupResolver(web(), logger, { ttlMs: 0, maxStaleMs: 0 });
    await expect(groups('U1')).resolves.toEqual(['SONCALL', 'oncall']);
    await new Promise((r) => setTimeout(r, 5));
    standin.failNext('usergroups.list', 'internal_error', 2);
    await expect(groups('U1')).rejects.toBeInstanceOf(GroupLookupError);
  });
});

describe('group lookup in the bot: a click or command while usergroups.list is rate-limited', () => {
  let kit: BotKit;
  beforeAll(async () => {
    // Every lookup asks Slack and no earlier answer may stand in: the failure path itself.
    kit = await startBotKit(`bot-groups-${Date.now()}`, { worker: false, groups: { ttlMs: 0, maxStaleMs: 0 } });
  });
  afterAll(() => kit.stop());

  it('answers an approver\'s click with "could not check your groups, try again", not "you are not an approver", and decides nothing', async () => {
    const workflowId = workflowIdFor('setup', 'nogroups-a', 'nogroups-b');
    kit.standin.rateLimit('usergroups.list', { times: 1, retryAfter: 20 });
    await kit.click(APPROVAL_ACTION.approve, approvalButtonValue({ workflowId, step: 'install-remote' }), APPROVER, '1764000000.000001');
    await eventually(() => kit.privateAnswersTo(APPROVER).length > 0, 'the answer');
    const [answer] = kit.privateAnswersTo(APPROVER);
    expect(answer.text).toContain('Could not check your Slack user groups (Slack is rate-limiting usergroups.list), so nothing was done; try again in 20 s.');
    expect(answer.text).not.toContain('not an approver');
    expect(kit.standin.callsTo('usergroups.list').map((c) => c.error)).toEqual(['ratelimited']);
  });

  it('answers a command the same way while Slack still says to wait', async () => {
    await kit.command('setup nogroups-c nogroups-d', REQUESTER);
    await eventually(() => kit.standin.ephemerals.some((e) => e.responseUrlId === `cmd-${REQUESTER}`), 'the answer');
    expect(kit.standin.ephemerals.find((e) => e.responseUrlId === `cmd-${REQUESTER}`)?.text).toMatch(/Could not check your Slack user groups \(Slack is rate-limiting usergroups.list\), so nothing was done; try again in \d+ s\./);
    expect(kit.standin.callsTo('usergroups.list')).toHaveLength(1); // Retry-After honoured
  });
});

describe('group lookup in the bot: a recent answer stands in while Slack rate-limits', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-groups-stale-${Date.now()}`, { groups: { ttlMs: 0 } });
  });
  afterAll(() => kit.stop());
  const json = (m: StoredMessage | undefined) => JSON.stringify(m?.blocks ?? []);

  it('lets the on-call approver approve with the groups Slack gave a moment ago', async () => {
    const workflowId = workflowIdFor('setup', 'stale-groups-a', 'stale-groups-b');
    await kit.command('setup stale-groups-a stale-groups-b'); // the requester's lookup fills the cache
    await eventually(() => kit.standin.parents(CHANNEL).some((m) => json(m).includes('stale-groups-a')), 'the run message');
    const parent = kit.standin.parents(CHANNEL).find((m) => json(m).includes('stale-groups-a'))!;
    await eventually(() => kit.standin.thread(CHANNEL, parent.ts).some((m) => m.metadata?.event_payload.key === 'approval:install-remote'), 'the approval request');
    const asked = kit.standin.thread(CHANNEL, parent.ts).find((m) => m.metadata?.event_payload.key === 'approval:install-remote')!;
    const before = kit.standin.callsTo('usergroups.list').length;
    kit.standin.rateLimit('usergroups.list', { times: 1, retryAfter: 30 });
    await kit.click(APPROVAL_ACTION.approve, approvalButtonValue({ workflowId, step: 'install-remote' }), APPROVER, asked.ts);
    await eventually(() => kit.privateAnswersTo(APPROVER).length > 0, 'the answer');
    expect(kit.privateAnswersTo(APPROVER)[0].text).toContain('You approved *Install Istio on remote*');
    expect((await kit.mesh.status(workflowId)).approvals).toEqual([expect.objectContaining({ step: 'install-remote', by: expect.objectContaining({ id: APPROVER, groups: ['SONCALL', 'oncall'] }) })]);
    expect(kit.standin.callsTo('usergroups.list').slice(before).map((c) => c.error)).toContain('ratelimited');
    await kit.mesh.cancel(workflowId, { by: { id: 'U-CLEANUP' } });
  });
});
