import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseMeshCommand, type MeshCommand } from '../../common/mesh-command';
import { loadPolicy, parsePolicy } from '../../bot/load-policy';
import { authorizeApproval, authorizeCommand, withPolicyApprovals, type Actor, type AuthorizationPolicy } from '../../bot/policy';

const policy: AuthorizationPolicy = parsePolicy(
  `
requesters: { groups: [platform] }
approvers: { users: [UAPPROVER], groups: [oncall] }
admins: { users: [UADMIN] }
channels:
  - { channel: CPROD, contexts: [prod-east, prod-west] }
  - { channel: CLAB, contexts: ["*"] }
`,
  'inline',
);
const command = (text: string): MeshCommand => {
  const r = parseMeshCommand(text);
  if (!r.ok) throw new Error(r.error);
  return r.command;
};
const specOf = (text: string) => {
  const c = command(text);
  if (c.verb !== 'setup' && c.verb !== 'verify' && c.verb !== 'teardown') throw new Error(`${text} has no spec`);
  return c.spec;
};
const actor = (userId: string, groups: string[] = [], channelId = 'CPROD'): Actor => ({ userId, groups, channelId });

describe('authorization policy', () => {
  it('defaults four-eyes to on', () => {
    expect(policy.fourEyes).toBe(true);
  });

  it('lets requesters set up only the contexts their channel may use', () => {
    expect(authorizeCommand(policy, actor('U1', ['platform']), command('setup prod-east prod-west'))).toEqual({ allowed: true });
    expect(authorizeCommand(policy, actor('U1', ['platform']), command('setup prod-east lab'))).toEqual({ allowed: false, reason: 'This channel may not use the context `lab`; it may use `prod-east`, `prod-west`.' });
    expect(authorizeCommand(policy, actor('U1', ['platform'], 'CLAB'), command('setup any-a any-b'))).toEqual({ allowed: true });
    expect(authorizeCommand(policy, actor('U1', ['platform'], 'CRANDOM'), command('setup prod-east prod-west'))).toMatchObject({ allowed: false, reason: expect.stringContaining('This channel may not use /mesh') });
    expect(authorizeCommand(policy, actor('U2'), command('setup prod-east prod-west'))).toMatchObject({ allowed: false, reason: expect.stringContaining('You may not setup meshes: only @platform and admins may') });
  });

  it('lets anyone read status and runs, in the listed channels only', () => {
    expect(authorizeCommand(policy, actor('U9', [], 'CLAB'), command('runs'))).toEqual({ allowed: true });
    expect(authorizeCommand(policy, actor('U9', [], 'CPROD'), command('status mesh/a--b'))).toEqual({ allowed: true });
    expect(authorizeCommand(policy, actor('U9', [], 'CRANDOM'), command('status'))).toMatchObject({ allowed: false, reason: expect.stringContaining('This channel may not use /mesh') });
    expect(authorizeCommand(policy, actor('U9', [], 'CRANDOM'), command('help'))).toEqual({ allowed: true });
  });

  it('keeps teardown to admins and cancel to the run\'s requester or an admin', () => {
    expect(authorizeCommand(policy, actor('U1', ['platform']), command('teardown prod-east prod-west'))).toMatchObject({ allowed: false, reason: expect.stringContaining('Only admins (<@UADMIN>)') });
    expect(authorizeCommand(policy, actor('UADMIN'), command('teardown prod-east prod-west'))).toEqual({ allowed: true });
    const prodRun = { requester: 'U1', spec: specOf('setup prod-east prod-west') };
    expect(authorizeCommand(policy, actor('U1'), command('cancel mesh/prod-east--prod-west'), prodRun)).toEqual({ allowed: true });
    expect(authorizeCommand(policy, actor('U2'), command('cancel mesh/prod-east--prod-west'), prodRun)).toMatchObject({ allowed: false });
    expect(authorizeCommand(policy, actor('UADMIN'), command('cancel mesh/prod-east--prod-west'), prodRun)).toEqual({ allowed: true });
  });

  it('checks a cancel\'s channel, and the contexts of the run it names, before who asks', () => {
    const labRun = { requester: 'U1', spec: specOf('setup lab-a lab-b') };
    // An unlisted channel is refused the same way whether or not there is a run (no run: undefined).
    const unlisted = authorizeCommand(policy, actor('UADMIN', [], 'CRANDOM'), command('cancel mesh/lab-a--lab-b'), labRun);
    expect(unlisted).toMatchObject({ allowed: false, reason: expect.stringContaining('This channel may not use /mesh') });
    expect(authorizeCommand(policy, actor('UADMIN', [], 'CRANDOM'), command('cancel mesh/lab-a--lab-b'))).toEqual(unlisted);
    // A listed channel may cancel only runs on its contexts, even for the requester or an admin.
    for (const who of ['U1', 'UADMIN']) {
      expect(authorizeCommand(policy, actor(who), command('cancel mesh/lab-a--lab-b'), labRun)).toEqual({ allowed: false, reason: 'This channel may not use the contexts `lab-a` and `lab-b`; it may use `prod-east`, `prod-west`.' });
      expect(authorizeCommand(policy, actor(who, [], 'CLAB'), command('cancel mesh/lab-a--lab-b'), labRun)).toEqual({ allowed: true });
    }
  });

  it('requires the policy\'s gates: gates= may add gates but never remove them', () => {
    expect(policy.requiredGates).toEqual(['install-remote', 'link-secret']);
    const requester = actor('U1', ['platform']);
    for (const text of ['setup prod-east prod-west gates=none', 'setup prod-east prod-west gates=install-remote', 'verify prod-east prod-west gates=wait-local']) {
      expect(authorizeCommand(policy, requester, command(text))).toMatchObject({ allowed: false, reason: expect.stringContaining('The policy requires approval at `install-remote`, `link-secret`; `gates=` may add gates but not remove these') });
    }
    expect(authorizeCommand(policy, requester, command('setup prod-east prod-west gates=none'))).toMatchObject({ reason: expect.stringContaining('you left out `install-remote`, `link-secret`') });
    expect(authorizeCommand(policy, actor('UADMIN'), command('teardown prod-east prod-west gates=none'))).toMatchObject({ allowed: false, reason: expect.stringContaining('The policy requires approval') });
    expect(authorizeCommand(policy, requester, command('setup prod-east prod-west gates=install-remote,link-secret,wait-local'))).toEqual({ allowed: true });
    expect(authorizeCommand(policy, requester, command('setup prod-east prod-west'))).toEqual({ allowed: true });
    // A policy that requires nothing lets gates=none through.
    expect(authorizeCommand({ ...policy, requiredGates: [] }, requester, command('setup prod-east prod-west gates=none'))).toEqual({ allowed: true });

    // The spec carries the union, whatever was typed.
    expect(withPolicyApprovals(specOf('setup a b gates=none'), policy, false).approval.gates).toEqual(['install-remote', 'link-secret']);
    expect(withPolicyApprovals(specOf('setup a b gates=wait-local,link-secret'), policy, false).approval.gates).toEqual(['install-remote', 'link-secret', 'wait-local']);
    const strict = parsePolicy('approvers: { users: [U1AB] }\nchannels: [{ channel: C1AB, contexts: ["*"] }]\nrequiredGates: [wait-local, install-remote, link-secret]', 'inline');
    expect(withPolicyApprovals(specOf('setup a b'), strict, false).approval.gates).toEqual(['wait-local', 'install-remote', 'link-secret']);
  });

  it('lets approvers (by user or group) and admins approve, never the requester while four-eyes is on', () => {
    expect(authorizeApproval(policy, actor('UAPPROVER'), 'U1')).toEqual({ allowed: true });
    expect(authorizeApproval(policy, actor('U5', ['S1', 'oncall']), 'U1')).toEqual({ allowed: true });
    expect(authorizeApproval(policy, actor('UADMIN'), 'U1')).toEqual({ allowed: true });
    expect(authorizeApproval(policy, actor('U2'), 'U1')).toMatchObject({ allowed: false, reason: expect.stringContaining('You are not an approver') });
    expect(authorizeApproval(policy, actor('UAPPROVER'), 'UAPPROVER')).toMatchObject({ allowed: false, reason: expect.stringContaining('four-eyes is on') });
    expect(authorizeApproval({ ...policy, fourEyes: false }, actor('UAPPROVER'), 'UAPPROVER')).toEqual({ allowed: true });
  });

  it('writes its approvers and four-eyes rule into the spec; approvers= only narrows', () => {
    const setup = command('setup prod-east prod-west');
    if (setup.verb !== 'setup') throw new Error('not setup');
    expect(withPolicyApprovals(setup.spec, policy, false).approval).toMatchObject({ approvers: { users: ['UAPPROVER', 'UADMIN'], groups: ['oncall'] }, fourEyes: true });
    const narrowed = command('setup prod-east prod-west approvers=<@UAPPROVER>');
    if (narrowed.verb !== 'setup') throw new Error('not setup');
    expect(withPolicyApprovals(narrowed.spec, policy, true).approval.approvers).toEqual({ users: ['UAPPROVER'], groups: [] });
  });

  it.each([
    ['channels: []\napprovers: { users: [U1] }', 'channels: list at least one channel and the contexts it may use'],
    ['channels: [{ channel: general, contexts: ["*"] }]\napprovers: { users: [U1] }', 'channels.0.channel: use a Slack channel id such as C0123ABCD'],
    ['channels: [{ channel: C1AB, contexts: ["*"] }]', 'approvers: name at least one approver or admin'],
    ['channels: [{ channel: C1AB, contexts: ["*"] }]\napprovers: { users: [alice] }', 'approvers.users.0: use a Slack user id such as U0123ABCD'],
    ['channels: [{ channel: C1AB, contexts: ["*"] }]\napprover: { users: [U1] }', 'Unrecognized key: "approver"'],
    ['channels: [{ channel: C1AB, contexts: ["*"] }]\napprovers: { users: [U1] }\nfourEyes: sometimes', 'fourEyes: Invalid input: expected boolean'],
    ['channels: [{ channel: C1AB, contexts: ["*"] }]\napprovers: { users: [U1] }\nrequiredGates: [install-everything]', 'requiredGates.0: Invalid option'],
    ['channels: [', 'not valid YAML or JSON'],
  ])('refuses a bad policy file, naming the field: %j', (text, message) => {
    expect(() => parsePolicy(text, 'policy.yml')).toThrow(message);
    expect(() => parsePolicy(text, 'policy.yml')).toThrow('Invalid authorization policy policy.yml');
  });

  it('accepts the example policy shipped with the bot', () => {
    const file = join(__dirname, '../../bot/policy.example.yml');
    expect(loadPolicy(file).channels.map((c) => c.channel)).toEqual(['C0123MESH', 'C0456STAGING']);
    expect(() => loadPolicy('/nonexistent/policy.yml')).toThrow('MESHOPS_POLICY_FILE names /nonexistent/policy.yml, which cannot be read (ENOENT)');
  });

  it('the Slack app manifest declares /mesh, interactivity and the scopes the bot and notifier use', () => {
    const manifest = parseYaml(readFileSync(join(__dirname, '../../manifest.yml'), 'utf8')) as {
      features: { slash_commands: { command: string; url: string; should_escape: boolean }[] };
      oauth_config: { scopes: { bot: string[] } };
      settings: { interactivity: { is_enabled: boolean; request_url: string } };
    };
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: '/mesh', url: expect.stringMatching(/\/slack\/events$/), should_escape: true })]);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: expect.stringMatching(/\/slack\/events$/) });
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'usergroups:read', 'channels:history']));
  });
});
