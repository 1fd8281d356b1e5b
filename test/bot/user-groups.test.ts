import { WebClient } from '@slack/web-api';
import { createBotLogger } from '../../bot/logger';
import { createUserGroupResolver } from '../../bot/user-groups';
import { SlackApiStandin } from '../harness/slack-api-standin';

describe('user group resolution', () => {
  let standin: SlackApiStandin;
  beforeEach(async () => {
    standin = await SlackApiStandin.start({ botToken: 'xoxb-groups', usergroups: [{ id: 'SONCALL', handle: 'oncall', users: ['U1', 'U2'] }, { id: 'SPLAT', handle: 'platform', users: ['U1'] }] });
  });
  afterEach(() => standin.close());
  const web = () => new WebClient('xoxb-groups', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });

  it('gives each user the ids and handles of their groups, with one usergroups.list for concurrent requests', async () => {
    const groups = createUserGroupResolver(web(), createBotLogger('silent'));
    const [u1, u2, u3] = await Promise.all([groups('U1'), groups('U2'), groups('U3')]);
    expect(u1).toEqual(['SONCALL', 'oncall', 'SPLAT', 'platform']);
    expect(u2).toEqual(['SONCALL', 'oncall']);
    expect(u3).toEqual([]);
    expect(standin.callsTo('usergroups.list')).toHaveLength(1);
    expect(standin.callsTo('usergroups.list')[0].args).toMatchObject({ include_users: true });
  });

  it('does not treat the user as in no group when Slack refuses: says it could not check, logs it, and asks again next time', async () => {
    const lines: string[] = [];
    const groups = createUserGroupResolver(web(), createBotLogger('info', { write: (l: string) => void lines.push(l) }));
    standin.failNext('usergroups.list', 'missing_scope');
    await expect(groups('U1')).rejects.toMatchObject({ name: 'GroupLookupError', why: 'failed' });
    expect(lines.join('')).toContain('could not list Slack user groups');
    await expect(groups('U1')).resolves.toEqual(['SONCALL', 'oncall', 'SPLAT', 'platform']);
  });
});
