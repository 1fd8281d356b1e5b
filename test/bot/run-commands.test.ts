import { workflowIdFor } from '../../common/naming';
import { eventually } from '../harness/child-process';
import { APPROVER, CHANNEL, NARROW_CHANNEL, REQUESTER, startBotKit, UNLISTED_CHANNEL, type BotKit } from './bot-kit';

describe('/mesh status, runs, cancel and help over the real receiver', () => {
  let kit: BotKit;
  beforeAll(async () => {
    kit = await startBotKit(`bot-runs-${Date.now()}`);
  });
  afterAll(() => kit.stop());

  /** Sends a command and waits for its (single) answer through response_url. */
  const ask = async (text: string, userId = REQUESTER, channelId = CHANNEL): Promise<string> => {
    const answer = await kit.ask(text, userId, channelId);
    expect(answer.response_type).toBe('ephemeral');
    return `${answer.text}\n${JSON.stringify(answer.blocks)}`;
  };

  /** Polls the run's status query until it reports `phase`. */
  const reachPhase = async (workflowId: string, phase: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while ((await kit.mesh.status(workflowId)).phase !== phase) {
      if (Date.now() > deadline) throw new Error(`${workflowId} did not reach ${phase}`);
      await new Promise((r) => setTimeout(r, 100));
    }
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
    expect(status).toContain('http://localhost:8233/namespaces/default/workflows/mesh%2Fruns-local--runs-remote');

    // runs reads Temporal's visibility store, which catches up shortly after a start
    let runs = '';
    for (let i = 0; i < 50 && !runs.includes(workflowId); i++) runs = await ask('runs');
    expect(runs).toContain('Recent mesh runs');
    expect(runs).toContain(`\`${workflowId}\` — waiting-approval by <@${REQUESTER}>`);

    expect(await ask(`status mesh/nope--nothing`)).toContain('No mesh run has the workflow id mesh/nope--nothing');

    const denied = await ask(`cancel ${workflowId}`, APPROVER);
    expect(denied).toContain(`Only the requester of ${workflowId} or an admin`);
    expect((await kit.mesh.status(workflowId)).phase).toBe('waiting-approval');

    expect(await ask(`cancel ${workflowId}`)).toContain(`Cancelling \`${workflowId}\``);
    await eventually(() => kit.standin.parents(CHANNEL).some((m) => JSON.stringify(m.blocks).includes('runs-local') && JSON.stringify(m.blocks).includes(':no_entry_sign: cancelled')), 'the checklist to show the cancellation');
  });

  it('refuses cancel from an unlisted channel before any lookup, the same for a run that exists and one that does not', async () => {
    const workflowId = workflowIdFor('setup', 'guard-local', 'guard-remote');
    expect(await ask('setup guard-local guard-remote')).toContain(`as run \`${workflowId}\``);
    await reachPhase(workflowId, 'waiting-approval');

    const deniedLogs = () => kit.logs.filter((l) => l.msg === 'denied /mesh command' && l.channel === UNLISTED_CHANNEL && l.verb === 'cancel');
    for (const who of [REQUESTER, 'UADMIN']) {
      const existing = await ask(`cancel ${workflowId}`, who, UNLISTED_CHANNEL);
      const missing = await ask('cancel mesh/nope--nothing', who, UNLISTED_CHANNEL);
      expect(existing).toContain(':lock: This channel may not use /mesh.');
      // Same words either way: nothing says whether the run exists.
      expect(missing).toBe(existing);
      expect(missing).not.toContain('No mesh run');
    }
    expect(deniedLogs()).toHaveLength(4);
    expect(deniedLogs()[0]).toMatchObject({ user: REQUESTER, reason: expect.stringContaining('This channel may not use /mesh') });
    expect((await kit.mesh.status(workflowId)).phase).toBe('waiting-approval');

    // Reading from an unlisted channel is refused the same way, also before any lookup.
    expect(await ask('status mesh/nope--nothing', REQUESTER, UNLISTED_CHANNEL)).toContain(':lock: This channel may not use /mesh.');
    await kit.mesh.cancel(workflowId, { by: { id: 'U-CLEANUP' } });
  });

  it('refuses cancel from a listed channel whose contexts do not cover the run, even to its requester and an admin', async () => {
    const workflowId = workflowIdFor('setup', 'wide-local', 'wide-remote');
    expect(await ask('setup wide-local wide-remote')).toContain(`as run \`${workflowId}\``);
    await reachPhase(workflowId, 'waiting-approval');

    for (const who of [REQUESTER, 'UADMIN']) {
      const answer = await ask(`cancel ${workflowId}`, who, NARROW_CHANNEL);
      expect(answer).toContain(':lock: This channel may not use the contexts `wide-local` and `wide-remote`; it may use `narrow-a`, `narrow-b`.');
      expect(kit.logs).toContainEqual(expect.objectContaining({ msg: 'denied /mesh command', user: who, channel: NARROW_CHANNEL, verb: 'cancel', reason: expect.stringContaining('may not use the contexts') }));
    }
    expect((await kit.mesh.status(workflowId)).phase).toBe('waiting-approval');

    // From the channel that may use those contexts, the requester can.
    expect(await ask(`cancel ${workflowId}`)).toContain(`Cancelling \`${workflowId}\``);
    await reachPhase(workflowId, 'cancelled');
  });
});
