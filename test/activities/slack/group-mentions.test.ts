import { WebClient } from '@slack/web-api';
import { createSlackNotifier } from '../../../activities/slack/notifier';
import { approverMentions } from '../../../activities/slack/run-messages';
import { MeshSpec, meshSpecFor } from '../../../common/mesh-spec';
import type { MeshStatus } from '../../../common/status';
import { SlackApiStandin } from '../../harness/slack-api-standin';
import { setupStatus } from './status-fixture';

/**
 * Slack notifies a user group only when it is mentioned as <!subteam^ID>; plain "@oncall" text
 * notifies nobody. The policy may name groups by handle, so the notifier resolves handles to ids
 * with usergroups.list (cached) before it asks for an approval.
 */
const approvers = (users: string[], groups: string[]): MeshStatus =>
  setupStatus({ phase: 'waiting-approval', spec: MeshSpec.parse({ ...meshSpecFor('local', 'remote'), approval: { approvers: { users, groups } } }) }, { 'install-remote': { state: 'waiting-approval', since: '2026-11-26T12:01:00Z' } });

describe('approver mentions', () => {
  it('mentions users (U… and Enterprise Grid W… ids) and groups by id; a handle only when resolved to an id', () => {
    const status = approvers(['UAPPROVER', 'W0GRIDUSER'], ['SPLATFORM', 'oncall', 'ghosts']);
    expect(approverMentions(status, new Map([['oncall', 'SONCALL']]))).toBe('<@UAPPROVER> <@W0GRIDUSER> <!subteam^SPLATFORM> <!subteam^SONCALL|@oncall> @ghosts');
    // without the ids: text, which Slack does not turn into a notification
    expect(approverMentions(status)).toBe('<@UAPPROVER> <@W0GRIDUSER> <!subteam^SPLATFORM> @oncall @ghosts');
  });
});

describe('the notifier mentions approver groups named by handle by their id', () => {
  let standin: SlackApiStandin;
  let warnings: unknown[][];
  const warn = console.warn;
  beforeEach(async () => {
    standin = await SlackApiStandin.start({
      botToken: 'xoxb-mentions',
      usergroups: [{ id: 'SONCALL', handle: 'oncall', users: ['UAPPROVER'] }],
      channels: [{ id: 'CMESH', name: 'mesh', type: 'public', members: ['UBOTMESH', 'UREQUESTER'] }],
    });
    warnings = [];
    console.warn = (...args: unknown[]) => void warnings.push(args);
  });
  afterEach(async () => {
    console.warn = warn;
    await standin.close();
  });
  const notifier = () => createSlackNotifier({ client: new WebClient('xoxb-mentions', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } }), namespace: 'default', attempt: () => 1 });
  const ask = async (n: ReturnType<typeof notifier>, status: MeshStatus) => {
    const { ref } = await n.notify({ type: 'started', status });
    const asked = await n.notify({ type: 'approval-requested', step: 'install-remote', status, ref });
    return JSON.stringify(standin.message('CMESH', asked.ref!['approval:install-remote'])!.blocks);
  };

  it('renders <!subteam^SONCALL|@oncall> for the handle oncall, and asks usergroups.list once for many requests', async () => {
    const n = notifier();
    expect(await ask(n, approvers(['W0GRIDUSER'], ['oncall']))).toContain('<@W0GRIDUSER> <!subteam^SONCALL|@oncall>, please approve or reject.');
    expect(await ask(n, approvers([], ['oncall']))).toContain('<!subteam^SONCALL|@oncall>, please approve or reject.');
    expect(standin.callsTo('usergroups.list')).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('does not call usergroups.list when every group is named by id', async () => {
    expect(await ask(notifier(), approvers([], ['SONCALL']))).toContain('<!subteam^SONCALL>, please approve or reject.');
    expect(standin.callsTo('usergroups.list')).toHaveLength(0);
  });

  it('shows a handle it cannot resolve as text and logs it; if Slack refuses the list, posts the request anyway and asks again next time', async () => {
    const n = notifier();
    expect(await ask(n, approvers([], ['oncall', 'ghosts']))).toContain('<!subteam^SONCALL|@oncall> @ghosts, please approve');
    expect(warnings).toEqual([[expect.stringContaining('approver groups not found in usergroups.list'), expect.objectContaining({ handles: ['ghosts'] })]]);

    standin.failNext('usergroups.list', 'internal_error');
    const fresh = notifier();
    expect(await ask(fresh, approvers([], ['oncall']))).toContain('@oncall, please approve');
    expect(warnings.at(-1)).toEqual([expect.stringContaining('could not list Slack user groups'), expect.objectContaining({ handles: ['oncall'] })]);
    expect(await ask(fresh, approvers([], ['oncall']))).toContain('<!subteam^SONCALL|@oncall>, please approve');
  });
});
