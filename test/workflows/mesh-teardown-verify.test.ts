import type { MeshStatus } from '../../common/status';
import { FakeRuns } from '../harness/fake-runs';
import { useMeshTestEnv } from '../harness/mesh-test-env';
import { ONCALL, REQUESTER, maybeRecordHistory, specFor, statusWhen, stepState } from '../harness/mesh-test-kit';

describe('meshTeardown and meshVerify', () => {
  const fakes = new FakeRuns();
  const env = useMeshTestEnv('mesh-teardown-verify', () => fakes.activities());

  const result = (workflowId: string) => env.client.workflow.getHandle(workflowId).result() as Promise<MeshStatus>;

  it('teardown cleans up every step that changes a cluster, in reverse order', async () => {
    const { workflowId } = await env.mesh.teardown(specFor('teardown'), REQUESTER);
    expect(workflowId).toBe('mesh/teardown-local--teardown-remote');
    const run = fakes.add(workflowId);
    const final = await result(workflowId);
    expect(run.steps.cleanups).toEqual(['deploy-samples', 'patch-gateway', 'wait-remote', 'link-secret', 'install-remote', 'install-local']);
    expect(final).toMatchObject({ kind: 'teardown', phase: 'done', outcome: 'Removed the mesh between teardown-local and teardown-remote.' });
    expect(final.steps.map((s) => s.state.state)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    expect(run.notifier.types()).toEqual(expect.arrayContaining(['started', 'finished']));
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'teardown-link-first');
  });

  it('teardown waits for an approval when the policy gates cleanup', async () => {
    const { workflowId } = await env.mesh.teardown(specFor('gated-teardown', { approval: { gates: ['cleanup'] } }), REQUESTER);
    const run = fakes.add(workflowId);
    await statusWhen(env.mesh, workflowId, (s) => s.phase === 'waiting-approval' && stepState(s, 'cleanup')?.state === 'waiting-approval', 'teardown gate');
    expect(run.steps.cleanups).toEqual([]);
    await expect(env.mesh.approve(workflowId, { step: 'cleanup', decision: 'approve', approver: { id: REQUESTER.id } })).rejects.toThrow(/^Four-eyes rule/);
    await env.mesh.approve(workflowId, { step: 'cleanup', decision: 'approve', approver: ONCALL });
    const final = await result(workflowId);
    expect(final.phase).toBe('done');
    expect(stepState(final, 'cleanup')).toMatchObject({ state: 'done', summary: 'teardown approved by U-ONCALL' });
    expect(final.approvals.map((a) => [a.step, a.by.id])).toEqual([['cleanup', ONCALL.id]]);
    expect(run.steps.cleanups).toEqual(['deploy-samples', 'patch-gateway', 'wait-remote', 'link-secret', 'install-remote', 'install-local']);
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'teardown-gated-link-first');
  });

  it('verify ends done when the split holds', async () => {
    const { workflowId } = await env.mesh.verify(specFor('verify-ok'), REQUESTER);
    const run = fakes.add(workflowId);
    const final = await result(workflowId);
    expect(final).toMatchObject({ kind: 'verify', phase: 'done', verify: { passed: true, controlPlane: { passed: true }, dataPlane: { checked: true, byVersion: { v1: 11, v2: 9 } } } });
    expect(run.steps.count('verify-split')).toBe(1);
    expect(run.steps.count('preflight')).toBe(0);
  });

  it('a cancelled teardown records who cancelled and never claims a rollback', async () => {
    const { workflowId } = await env.mesh.teardown(specFor('teardown-cancel'), REQUESTER);
    const run = fakes.add(workflowId, { 'patch-gateway': { holdCleanup: true } });
    await statusWhen(env.mesh, workflowId, (s) => stepState(s, 'patch-gateway')?.state === 'running', 'cleanup of patch-gateway running');
    const record = await env.mesh.cancel(workflowId, { by: ONCALL, rollback: true });
    expect(record).toMatchObject({ by: { id: ONCALL.id }, rollback: false });
    await expect(result(workflowId)).rejects.toThrow();
    const final = await env.mesh.status(workflowId);
    expect(final.outcome).toBe('Teardown cancelled by U-ONCALL during cleanup of patch-gateway; done so far: deploy-samples. Run teardown again to finish.');
    expect(run.steps.cleanups).toEqual(['deploy-samples']);
  });

  it('verify reports drift through the notifier and ends failed', async () => {
    const reason = "Control plane: istiod's endpoints are not the split: no endpoint for the remote network: expected its gateway 10.1.0.20:15443 for 1 Ready remote pod(s).";
    const { workflowId } = await env.mesh.verify(specFor('verify-drift'), { id: 'schedule', via: 'schedule' });
    const controlPlane = { passed: false, reason, endpoints: [], diagnostics: ['Only local endpoints: there is no remote secret for remote on local. Fix: rerun link-secret.'], warnings: [] };
    const run = fakes.add(workflowId, { 'verify-split': { verify: { passed: false, reason, controlPlane } } });
    const final = await result(workflowId);
    expect(final.phase).toBe('failed');
    expect(final.outcome).toBe(`Drift between verify-drift-local and verify-drift-remote: ${reason}`);
    expect(stepState(final, 'verify-split')).toMatchObject({ state: 'failed', error: reason });
    const finished = run.notifier.events.find((e) => e.type === 'finished');
    expect(finished?.status.verify).toMatchObject({ passed: false, reason, controlPlane: { diagnostics: [expect.stringContaining('rerun link-secret')] } });
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'verify-drift');
  });
});
