import { parseMeshCommand } from '../../common/mesh-command';
import { AuthorizationPolicy, authorizeApproval } from '../../bot/policy';

/** Enterprise Grid gives org-wide users W… ids; they are user ids wherever a U… id is. */
describe('Enterprise Grid W… user ids', () => {
  it('are approvers when mentioned in approvers= (<@W…|name>, as Slack escapes a mention), beside U… ids and groups', () => {
    const parsed = parseMeshCommand('setup a b approvers=<@W0GRIDUSER|ann>,<@U0AAA|bob>,<!subteam^S0OPS|@ops>');
    expect(parsed).toMatchObject({ ok: true, command: { spec: { approval: { approvers: { users: ['W0GRIDUSER', 'U0AAA'], groups: ['S0OPS'] } } } } });
  });

  it('are accepted by the policy and match the clicker', () => {
    const policy = AuthorizationPolicy.parse({ approvers: { users: ['W0GRIDUSER'] }, channels: [{ channel: 'CMESH', contexts: ['*'] }] });
    expect(authorizeApproval(policy, { userId: 'W0GRIDUSER', groups: [], channelId: 'CMESH' }, 'UREQUESTER')).toEqual({ allowed: true });
  });
});
