import { workflowIdFor } from '../../common/naming';
import { eventually } from '../harness/child-process';
import { APPROVER, CHANNEL, REQUESTER, startBotKit, type BotKit } from './bot-kit';

describe('/mesh status, runs, cancel and help over the real receiver', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-runs-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  /** Sends a command and waits for its (single) answer through response_url. */
  const ask = async (text: string, userId = REQUESTER): Promise<string> => {
    const before = kit.standin.ephemerals.filter((e) => e.responseUrlId === `cmd-${userId}`).length;
    expect(await kit.command(text, userId)).toEqual({ status: 200, body: '' });
    await eventually(() => kit.standin.ephemerals.filter((e) => e.responseUrlId === `cmd-${userId}`).length > before, `the answer to ${text}`);
    const answer = kit.standin.ephemerals.filter((e) => e.responseUrlId === `cmd-${userId}`)[before];
    expect(answer.response_type).toBe('ephemeral');
    return `${answer.text}\n${JSON.stringify(answer.blocks)}`;
  };

  it('shows help with every verb and the keys', async () => {
    const help = await ask('help');
    for (const form of ['/mesh setup <local-context> <remote-context> [key=value…]', '/mesh status [run]', '/mesh cancel <run> [--rollback]', '/mesh runs']) expect(help).toContain(form);
    expect(help).toContain('`requests`');
  });

  it('shows a run\'s checklist, lists runs, lets only the requester or an admin cancel', async () => {
    const workflowId = workflowIdFor('setup', 'runs-local', 'runs-remote');
    expect(await ask('setup runs-local runs-remote')).toContain(`as run \`${workflowId}\``);
    await eventually(() => kit.steps.count('wait-local') > 0, 'the run to reach the first gate');
    await eventually(() => kit.standin.parents(CHANNEL).some((m) => JSON.stringify(m.blocks).includes('waiting for approval')), 'the gate');

    const status = await ask(`status ${workflowId}`);
    expect(status).toContain('waiting for approval');
    expect(status).toContain(':white_check_mark: *Check both clusters* — done');
    expect(status).toContain('http://localhost:8233/namespaces/default/workflows/mesh-setup%2Fruns-local--runs-remote');

    // runs reads Temporal's visibility store, which catches up shortly after a start
    let runs = '';
    for (let i = 0; i < 50 && !runs.includes(workflowId); i++) runs = await ask('runs');
    expect(runs).toContain('Recent mesh runs');
    expect(runs).toContain(`\`${workflowId}\` — waiting-approval by <@${REQUESTER}>`);

    expect(await ask(`status mesh-setup/nope--nothing`)).toContain('No mesh run has the workflow id mesh-setup/nope--nothing');

    const denied = await ask(`cancel ${workflowId}`, APPROVER);
    expect(denied).toContain(`Only the requester of ${workflowId} or an admin`);
    expect((await kit.mesh.status(workflowId)).phase).toBe('waiting-approval');

    expect(await ask(`cancel ${workflowId}`)).toContain(`Cancelling \`${workflowId}\``);
    await eventually(() => kit.standin.parents(CHANNEL).some((m) => JSON.stringify(m.blocks).includes('runs-local') && JSON.stringify(m.blocks).includes(':no_entry_sign: cancelled')), 'the checklist to show the cancellation');
  });
});
