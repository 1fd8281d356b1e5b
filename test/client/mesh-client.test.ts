import { Client, Connection } from '@temporalio/client';
import { ApprovalRefusedError, MeshRunConflictError, RunNotFoundError, ScheduleConflictError } from '../../client/errors';
import { MeshClient, verifyScheduleId } from '../../client/mesh-client';
import { ValidationError } from '../../common/errors';
import { MeshSpec, meshSpecFor } from '../../common/mesh-spec';
import { MESH_PAIR, MESH_PHASE, MESH_REQUESTER } from '../../common/search-attributes';
import type { MeshStatus } from '../../common/status';
import { eventually } from '../harness/child-process';
import { FakeRuns } from '../harness/fake-runs';
import { useMeshTestEnv } from '../harness/mesh-test-env';
import { testTemporalAddress } from '../harness/temporal-server';
import { ONCALL, REQUESTER, specFor, statusWhen } from '../harness/mesh-test-kit';

describe('MeshClient against a real Temporal dev server', () => {
  const fakes = new FakeRuns();
  const env = useMeshTestEnv('mesh-client', () => fakes.activities());

  it('lets exactly one of two racing starts of a pair run, in either order and kind, from two clients; the server refuses the other', async () => {
    const spec = specFor('race');
    const reversed = meshSpecFor('race-remote', 'race-local');
    const workflowId = 'mesh/race-local--race-remote';
    fakes.add(workflowId, { 'install-local': { hold: true } });
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const other = new MeshClient({ client: new Client({ connection }), taskQueue: env.taskQueue });
      const [setup, teardown] = await Promise.allSettled([env.mesh.startSetup(spec, REQUESTER), other.teardown(reversed, { id: 'U-OTHER', via: 'cli' })]);
      const started = [setup, teardown].filter((r) => r.status === 'fulfilled');
      const refused = [setup, teardown].flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(MeshRunConflictError);
      const [winner, loser, by] = setup.status === 'fulfilled' ? ['setup', 'teardown', REQUESTER.id] : ['teardown', 'setup', 'U-OTHER'];
      expect(refused[0].message).toContain(`Cannot start a mesh ${loser}: a mesh ${winner} of this cluster pair is already running as workflow ${workflowId}, requested by ${by}, started `);
      expect(refused[0].message).toContain(`Follow it with \`status ${workflowId}\`, or stop it with \`cancel ${workflowId}\``);
      const describe = await env.client.workflow.getHandle(workflowId).describe();
      expect(describe.type).toBe(winner === 'setup' ? 'meshSetup' : 'meshTeardown');

      // the refused edge cancels the winner: the status says who and whether it rolls back
      const record = await other.cancel(workflowId, { by: ONCALL });
      expect(record).toMatchObject({ by: { id: ONCALL.id }, rollback: false });
      await expect(env.client.workflow.getHandle(workflowId).result()).rejects.toThrow();
      const final = await env.mesh.status(workflowId);
      expect(final.cancellation).toEqual(record);
      expect(final.outcome).toMatch(new RegExp(`^(Cancelled|Teardown cancelled) by ${ONCALL.id} `));
    } finally {
      await connection.close();
    }
    // once it ended, the pair may be set up again under the same id, as a new run
    fakes.add(workflowId);
    const again = await env.mesh.startSetup(spec, REQUESTER);
    expect(again.workflowId).toBe(workflowId);
    await statusWhen(env.mesh, again.workflowId, (s) => s.phase === 'waiting-approval', 'second run at its gate');
    await env.mesh.cancel(again.workflowId, { by: ONCALL });
  });

  it('refuses an approval for a teardown that has no gate, by the workflow\'s typed refusal', async () => {
    const spec = specFor('tearing');
    const teardown = await env.mesh.teardown(spec, REQUESTER);
    const run = fakes.add(teardown.workflowId, { 'deploy-samples': { holdCleanup: true } });
    await statusWhen(env.mesh, teardown.workflowId, (s) => s.steps.some((x) => x.state.state === 'running'), 'teardown running');

    await expect(env.mesh.startSetup(spec, REQUESTER)).rejects.toThrow('Cannot start a mesh setup: a mesh teardown of this cluster pair is already running as workflow mesh/tearing-local--tearing-remote');
    const refusal = env.mesh.approve(teardown.workflowId, { step: 'cleanup', decision: 'approve', approver: ONCALL });
    await expect(refusal).rejects.toThrow(ApprovalRefusedError);
    await expect(refusal).rejects.toThrow('Teardown mesh/tearing-local--tearing-remote has no approval gate (add cleanup to approval.gates to have one); there is nothing to approve.');
    run.steps.release('deploy-samples');
    await expect(env.client.workflow.getHandle(teardown.workflowId).result()).resolves.toMatchObject({ phase: 'done' });
  });

  it('rejects bad input with the field and the fix, before anything starts', async () => {
    await expect(env.mesh.startSetup({ local: { context: 'a', network: 'n1' }, remote: { context: 'b', network: 'n1' } }, REQUESTER)).rejects.toThrow(
      'Invalid mesh spec:\nremote.network: local and remote must be on different Istio networks (split-horizon EDS needs two)',
    );
    await expect(env.mesh.startSetup(specFor('bad', { approval: { timeout: 'soon' } }), REQUESTER)).rejects.toThrow(
      'approval.timeout: use a number and a unit, e.g. 30s, 15m or 2h',
    );
    await expect(env.mesh.startSetup(specFor('bad'), { id: '', via: 'slack' })).rejects.toThrow(ValidationError);
    await expect(env.mesh.approve('mesh-setup/x', { step: 'install-remote', decision: 'maybe' as 'approve', approver: ONCALL })).rejects.toThrow(
      /Invalid approval decision:\ndecision: /,
    );
    await expect(env.mesh.status('  ')).rejects.toThrow('Invalid workflow id:\n(input): give the workflow id of a run, e.g. mesh/local--remote');
    await expect(env.mesh.listRuns(0)).rejects.toThrow('Invalid limit');
    await expect(env.mesh.createVerifySchedule(specFor('bad'), 'hourly')).rejects.toThrow('Invalid schedule interval');
  });

  it('says which run is unknown', async () => {
    await expect(env.mesh.status('mesh-setup/nobody--nowhere')).rejects.toThrow(RunNotFoundError);
    await expect(env.mesh.approve('mesh-setup/nobody--nowhere', { step: 'install-remote', decision: 'approve', approver: ONCALL })).rejects.toThrow(
      'No mesh run has the workflow id mesh-setup/nobody--nowhere',
    );
    await expect(env.mesh.cancel('mesh/nobody--nowhere', { by: ONCALL })).rejects.toThrow(RunNotFoundError);
  });

  it('lists recent runs with their phase', async () => {
    const { workflowId } = await env.mesh.verify(specFor('listed'), REQUESTER);
    fakes.add(workflowId);
    const final = (await env.client.workflow.getHandle(workflowId).result()) as MeshStatus;
    expect(final.phase).toBe('done');
    let runs = await env.mesh.listRuns(50);
    // visibility is eventually consistent: wait for the closed run to show
    for (let i = 0; i < 50 && !runs.some((r) => r.workflowId === workflowId && r.temporalStatus === 'COMPLETED'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      runs = await env.mesh.listRuns(50);
    }
    expect(runs.find((r) => r.workflowId === workflowId)).toMatchObject({
      kind: 'verify',
      temporalStatus: 'COMPLETED',
      phase: 'done',
      local: 'listed-local',
      remote: 'listed-remote',
      requester: REQUESTER.id,
    });
    expect((await env.mesh.listRuns(1)).length).toBe(1);
  });

  it('indexes a run by pair, requester and phase as typed search attributes, and MeshPhase follows the phase', async () => {
    const spec = specFor('indexed');
    const { workflowId } = await env.mesh.startSetup(spec, REQUESTER);
    fakes.add(workflowId);
    const handle = env.client.workflow.getHandle(workflowId);
    const attributes = async () => (await handle.describe()).typedSearchAttributes;
    const phaseBecomes = (phase: string) => eventually(async () => (await attributes()).get(MESH_PHASE) === phase, `${workflowId}: MeshPhase ${phase}`);

    await statusWhen(env.mesh, workflowId, (s) => s.phase === 'waiting-approval', 'run at its gate');
    await phaseBecomes('waiting-approval');
    const at = await attributes();
    expect(at.get(MESH_PAIR)).toBe('indexed-local--indexed-remote');
    expect(at.get(MESH_REQUESTER)).toBe(REQUESTER.id);

    await env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: ONCALL });
    await statusWhen(env.mesh, workflowId, (s) => s.steps.find((x) => x.id === 'link-secret')?.state.state === 'waiting-approval', 'run at its second gate');
    await env.mesh.cancel(workflowId, { by: ONCALL });
    await expect(handle.result()).rejects.toThrow();
    await phaseBecomes('cancelled');
    expect((await attributes()).get(MESH_PAIR)).toBe('indexed-local--indexed-remote');
  });

  it('filters runs on the server by pair, requester and phase', async () => {
    const other = { id: 'U-FILTER-OTHER', via: 'cli' as const };
    const a = await env.mesh.verify(specFor('filter-a'), REQUESTER);
    fakes.add(a.workflowId);
    await env.client.workflow.getHandle(a.workflowId).result();
    const b = await env.mesh.verify(specFor('filter-b'), other);
    fakes.add(b.workflowId);
    await env.client.workflow.getHandle(b.workflowId).result();
    const c = await env.mesh.startSetup(specFor('filter-c'), REQUESTER);
    fakes.add(c.workflowId);
    await statusWhen(env.mesh, c.workflowId, (s) => s.phase === 'waiting-approval', 'filter-c at its gate');

    const queries: string[] = [];
    const list = env.client.workflow.list.bind(env.client.workflow);
    const spy = jest.spyOn(env.client.workflow, 'list').mockImplementation((options) => (queries.push(options?.query ?? ''), list(options)));
    try {
      // Visibility is eventually consistent: poll until the server's answer holds the run wanted.
      const listedWhen = async (filter: Parameters<typeof env.mesh.listRuns>[1], limit: number, wanted: string) => {
        let runs = await env.mesh.listRuns(limit, filter);
        await eventually(async () => (runs = await env.mesh.listRuns(limit, filter)).some((r) => r.workflowId === wanted), `${wanted} listed with ${JSON.stringify(filter)}`);
        return runs;
      };

      // a is the oldest of the three: with limit 1 only a server-side filter can return it
      const byPair = await listedWhen({ pair: { local: 'filter-a-local', remote: 'filter-a-remote' } }, 1, a.workflowId);
      expect(byPair).toEqual([expect.objectContaining({ workflowId: a.workflowId, pair: 'filter-a-local--filter-a-remote', phase: 'done', requester: REQUESTER.id })]);
      expect(queries.at(-1)).toContain("MeshPair IN ('filter-a-local--filter-a-remote', 'filter-a-remote--filter-a-local')");

      const byRequester = await listedWhen({ requester: other.id }, 50, b.workflowId);
      expect(byRequester.map((r) => r.workflowId)).toEqual([b.workflowId]);
      expect(queries.at(-1)).toContain(`MeshRequester = '${other.id}'`);

      const waiting = await listedWhen({ phase: 'waiting-approval' }, 50, c.workflowId);
      expect(waiting.every((r) => r.phase === 'waiting-approval')).toBe(true);
      expect(waiting.map((r) => r.workflowId)).not.toContain(a.workflowId);
      expect(queries.at(-1)).toContain("MeshPhase = 'waiting-approval'");

      const done = await listedWhen({ phase: 'done', requester: REQUESTER.id }, 50, a.workflowId);
      expect(done.every((r) => r.phase === 'done' && r.requester === REQUESTER.id)).toBe(true);
      expect(done.map((r) => r.workflowId)).not.toContain(b.workflowId);
    } finally {
      spy.mockRestore();
      await env.mesh.cancel(c.workflowId, { by: ONCALL });
    }
  });

  it('creates one verify schedule per pair', async () => {
    const spec = specFor('scheduled');
    const { scheduleId } = await env.mesh.createVerifySchedule(spec, '15m');
    expect(scheduleId).toBe(verifyScheduleId(MeshSpec.parse(spec)));
    const handle = env.client.schedule.getHandle(scheduleId);
    try {
      const described = await handle.describe();
      expect(described.spec.intervals?.map((i) => i.every)).toEqual([15 * 60_000]);
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'meshVerify', taskQueue: env.taskQueue });
      await expect(env.mesh.createVerifySchedule(spec, '5m')).rejects.toThrow(ScheduleConflictError);

      // the schedule's action starts a meshVerify that accepts the input it was given
      const run = fakes.add('mesh-verify/scheduled-local--scheduled-remote');
      await handle.trigger();
      await run.steps.started('verify-split');
      const started = (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
      expect(started).toMatch(/^mesh-verify\/scheduled-local--scheduled-remote-/);
      const final = (await env.client.workflow.getHandle(started!).result()) as MeshStatus;
      expect(final).toMatchObject({ kind: 'verify', phase: 'done', requester: { id: 'schedule', via: 'schedule' } });
    } finally {
      await handle.delete();
    }
  });
});
