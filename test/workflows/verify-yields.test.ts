import { meshSpecFor } from '../../common/mesh-spec';
import type { MeshStatus } from '../../common/status';
import { FakeRuns } from '../harness/fake-runs';
import { useMeshTestEnv } from '../harness/mesh-test-env';
import { REQUESTER, maybeRecordHistory, specFor, stepState } from '../harness/mesh-test-kit';

const SCHEDULE = { id: 'schedule', via: 'schedule' as const };
const DRIFT = { passed: false, reason: "Control plane: istiod's endpoints are not the split: no endpoint for the remote network." };

describe('meshVerify while a setup or teardown of the pair runs', () => {
  const fakes = new FakeRuns();
  const env = useMeshTestEnv('verify-yields', () => fakes.activities());
  const result = (workflowId: string) => env.client.workflow.getHandle(workflowId).result() as Promise<MeshStatus>;

  it('does not judge a pair whose setup is running (named in either order), and says which run', async () => {
    const setup = await env.mesh.startSetup(specFor('busy', { approval: { gates: [] } }), REQUESTER);
    const building = fakes.add(setup.workflowId, { 'install-remote': { hold: true } });
    await building.steps.started('install-remote');

    const verify = await env.mesh.verify(meshSpecFor('busy-remote', 'busy-local'), SCHEDULE);
    const run = fakes.add(verify.workflowId, { 'verify-split': { verify: DRIFT } });
    const final = await result(verify.workflowId);

    expect(final.phase).toBe('skipped');
    expect(final.outcome).toBe('Not judged: mesh setup mesh/busy-local--busy-remote is changing busy-remote and busy-local; the next verify judges the pair again.');
    expect(stepState(final, 'verify-split')).toEqual({ state: 'skipped', reason: 'mesh setup mesh/busy-local--busy-remote was changing the pair' });
    expect(run.steps.count('verify-split')).toBe(0);
    expect(run.notifier.events.at(-1)).toMatchObject({ type: 'finished', status: { phase: 'skipped' } });

    building.steps.release('install-remote');
    await expect(result(setup.workflowId)).resolves.toMatchObject({ phase: 'done' });
  });

  it('does not report drift it found while a teardown of the pair started, and reports it once none runs', async () => {
    const spec = specFor('midway', { approval: { gates: [] } });
    const verify = await env.mesh.verify(spec, SCHEDULE);
    const checking = fakes.add(verify.workflowId, { 'verify-split': { hold: true, verify: DRIFT } });
    await checking.steps.started('verify-split');

    const teardown = await env.mesh.teardown(spec, REQUESTER);
    const tearing = fakes.add(teardown.workflowId, { 'deploy-samples': { holdCleanup: true } });
    await tearing.steps.started('cleanup');
    checking.steps.release('verify-split');
    const judged = await result(verify.workflowId);
    expect(judged.phase).toBe('skipped');
    expect(judged.outcome).toBe('Not judged: mesh teardown mesh/midway-local--midway-remote is changing midway-local and midway-remote; the next verify judges the pair again.');
    expect(checking.steps.count('verify-split')).toBe(1);
    await maybeRecordHistory(env.client.workflow.getHandle(verify.workflowId), 'verify-not-judged-during-teardown');

    tearing.steps.release('deploy-samples');
    await expect(result(teardown.workflowId)).resolves.toMatchObject({ phase: 'done' });
    const again = await env.mesh.verify(spec, SCHEDULE);
    fakes.add(again.workflowId, { 'verify-split': { verify: DRIFT } });
    await expect(result(again.workflowId)).resolves.toMatchObject({ phase: 'failed', outcome: `Drift between midway-local and midway-remote: ${DRIFT.reason}` });
  });
});
