import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { CancelRefusedError } from '../../client/errors';
import { MeshClient } from '../../client/mesh-client';
import { FakeRuns } from '../harness/fake-runs';
import { useMeshTestEnv } from '../harness/mesh-test-env';
import { startMeshTestWorker } from '../harness/mesh-test-worker';
import { ONCALL, REQUESTER, maybeRecordHistory, specFor, statusWhen, stepState } from '../harness/mesh-test-kit';

describe('cancelling meshSetup', () => {
  const fakes = new FakeRuns();
  const env = useMeshTestEnv('mesh-cancel', () => fakes.activities());

  const endsCancelled = async (workflowId: string) => {
    const err = await env.client.workflow.getHandle(workflowId).result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    return env.mesh.status(workflowId);
  };

  it('stops the running step and cleans it up with the installed steps, newest first', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('rollback', { rollback: true, approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId, { 'deploy-samples': { hold: true } });
    await run.steps.started('deploy-samples');

    await env.mesh.cancel(workflowId, { by: ONCALL });
    const final = await endsCancelled(workflowId);

    expect(run.steps.cleanups).toEqual(['deploy-samples', 'patch-gateway', 'wait-remote', 'link-secret', 'install-remote', 'install-local']);
    expect(final.phase).toBe('cancelled');
    expect(stepState(final, 'deploy-samples')).toMatchObject({ state: 'failed', error: 'stopped: the run was cancelled' });
    expect(stepState(final, 'verify-split')).toEqual({ state: 'skipped', reason: 'the run was cancelled' });
    expect(stepState(final, 'cleanup')).toMatchObject({ state: 'done', summary: 'rolled back deploy-samples (interrupted), patch-gateway, wait-remote, link-secret, install-remote, install-local' });
    expect(final.outcome).toBe(
      'Cancelled by U-ONCALL during deploy-samples; done so far: preflight, install-local, wait-local, install-remote, link-secret, wait-remote, patch-gateway. ' +
        'Rolled back deploy-samples (interrupted), patch-gateway, wait-remote, link-secret, install-remote, install-local.',
    );
    expect(final.cancellation).toMatchObject({ by: { id: ONCALL.id }, rollback: true });
    expect(run.steps.count('verify-split')).toBe(0);
    expect(run.notifier.events.at(-1)).toMatchObject({ type: 'finished', status: { phase: 'cancelled' } });
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'setup-cancel-rollback-interrupted');
  });

  it('leaves everything in place when rollback is off', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('norollback', { approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId, { 'wait-remote': { hold: true } });
    await run.steps.started('wait-remote');
    await env.mesh.cancel(workflowId, { by: ONCALL });
    const final = await endsCancelled(workflowId);
    expect(run.steps.cleanups).toEqual([]);
    expect(stepState(final, 'cleanup')).toBeUndefined();
    expect(final.outcome).toBe('Cancelled by U-ONCALL during wait-remote; done so far: preflight, install-local, wait-local, install-remote, link-secret.');
    expect(final.cancellation).toMatchObject({ by: { id: ONCALL.id }, rollback: false });
  });

  it('rolls back when the canceller asks for it, also while a gate waits', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('gaterollback'), REQUESTER);
    const run = fakes.add(workflowId);
    await statusWhen(env.mesh, workflowId, (s) => s.phase === 'waiting-approval', 'gate before install-remote');
    await env.mesh.cancel(workflowId, { by: ONCALL, rollback: true });
    const final = await endsCancelled(workflowId);
    expect(run.steps.cleanups).toEqual(['install-local']);
    expect(final.outcome).toBe('Cancelled by U-ONCALL while install-remote waited for approval; done so far: preflight, install-local, wait-local. Rolled back install-local.');
    expect(stepState(final, 'install-remote')).toEqual({ state: 'skipped', reason: 'the run was cancelled' });
    await expect(env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: ONCALL })).rejects.toThrow(/already ended \(cancelled\)/);
    await expect(env.mesh.cancel(workflowId, { by: ONCALL })).rejects.toThrow(/already ended \(cancelled\); there is nothing to cancel/);
  });

  it('refuses a second cancel while the run rolls back, naming who cancelled, and the rollback finishes', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('twicecancel', { rollback: true, approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId, { 'wait-remote': { hold: true }, 'install-remote': { holdCleanup: true } });
    await run.steps.started('wait-remote');
    await env.mesh.cancel(workflowId, { by: ONCALL });
    await statusWhen(env.mesh, workflowId, (s) => s.phase === 'cancelling', 'rolling back');

    const second = env.mesh.cancel(workflowId, { by: { id: 'U-SECOND' }, rollback: false });
    await expect(second).rejects.toThrow(CancelRefusedError);
    await expect(second).rejects.toThrow(/^Run mesh\/twicecancel-local--twicecancel-remote is already rolling back \(cancelled by U-ONCALL at \d{4}-.*Z\); follow it with `status mesh\/twicecancel-local--twicecancel-remote`\.$/);
    run.steps.release('install-remote');
    const final = await endsCancelled(workflowId);
    expect(final.cancellation).toMatchObject({ by: { id: ONCALL.id }, rollback: true });
    expect(run.steps.cleanups).toEqual(['wait-remote', 'link-secret', 'install-remote', 'install-local']);
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'setup-cancel-update-rollback');
  });

  it('takes a cancel sent right after the start, before a worker ran the run, and reports how it ended', async () => {
    const taskQueue = `mesh-cancel-early-${Date.now()}`;
    const mesh = new MeshClient({ client: env.client, taskQueue });
    const { workflowId } = await mesh.startSetup(specFor('early', { rollback: true, approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId);
    // Delivered with the run's first workflow task, before the run has read its input.
    const cancelled = mesh.cancel(workflowId, { by: ONCALL });
    const worker = await startMeshTestWorker(taskQueue, fakes.activities());
    try {
      await expect(cancelled).resolves.toMatchObject({ by: { id: ONCALL.id }, rollback: true });
      const final = await endsCancelled(workflowId);
      expect(final.outcome).toBe('Cancelled by U-ONCALL before its first step; no step was done. Nothing was installed, nothing to roll back.');
      expect(run.steps.count('preflight')).toBe(0);
      expect(run.notifier.events.at(-1)).toMatchObject({ type: 'finished', status: { phase: 'cancelled' } });
    } finally {
      await worker.stop();
    }
  });

  it('accepts one of two cancels sent at once; the other is refused naming the first', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('twocancels', { approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId, { 'install-local': { hold: true } });
    await run.steps.started('install-local');
    const results = await Promise.allSettled([env.mesh.cancel(workflowId, { by: ONCALL }), env.mesh.cancel(workflowId, { by: { id: 'U-SECOND' } })]);
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(CancelRefusedError);
    expect(refused[0].message).toMatch(new RegExp(`^Run mesh/twocancels-local--twocancels-remote is already being cancelled by ${accepted[0].by!.id} at `));
    const final = await endsCancelled(workflowId);
    expect(final.cancellation).toEqual(accepted[0]);
  });

  it('records a plain Temporal cancel (UI, temporal CLI) without a name, with the spec\'s rollback', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('uicancel', { rollback: true, approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId, { 'install-remote': { hold: true } });
    await run.steps.started('install-remote');
    await env.client.workflow.getHandle(workflowId).cancel();
    const final = await endsCancelled(workflowId);
    expect(final.cancellation).toEqual({ at: expect.stringMatching(/Z$/), rollback: true });
    expect(final.outcome).toBe('Cancelled during install-remote; done so far: preflight, install-local, wait-local. Rolled back install-remote (interrupted), install-local.');
  });
});
