import { WorkflowFailedError } from '@temporalio/client';
import { ApprovalRefusedError } from '../../client/errors';
import { SETUP_STEPS } from '../../common/steps';
import type { MeshStatus } from '../../common/status';
import { FakeRuns } from '../harness/fake-runs';
import { useMeshTestEnv } from '../harness/mesh-test-env';
import { ONCALL, REQUESTER, maybeRecordHistory, specFor, statusWhen, stepState } from '../harness/mesh-test-kit';

describe('meshSetup on a real Temporal dev server', () => {
  const fakes = new FakeRuns();
  const env = useMeshTestEnv('mesh-setup', () => fakes.activities());

  const result = (workflowId: string) => env.client.workflow.getHandle(workflowId).result() as Promise<MeshStatus>;
  const gateOpen = (step: string) => (s: MeshStatus) => s.phase === 'waiting-approval' && stepState(s, step)?.state === 'waiting-approval';

  it('runs every step once, waits at both gates, records two approvals and ends done', async () => {
    const spec = specFor('happy');
    const { workflowId } = await env.mesh.startSetup(spec, REQUESTER);
    const run = fakes.add(workflowId);

    const atRemote = await statusWhen(env.mesh, workflowId, gateOpen('install-remote'), 'gate before install-remote');
    expect(atRemote.steps.map((s) => s.state.state)).toEqual(['done', 'done', 'done', 'waiting-approval', 'pending', 'pending', 'pending', 'pending', 'pending']);
    const record = await env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: ONCALL, reason: 'change CHG-1' });
    expect(record).toMatchObject({ step: 'install-remote', decision: 'approve', by: { id: ONCALL.id } });

    await statusWhen(env.mesh, workflowId, gateOpen('link-secret'), 'gate before link-secret');
    await env.mesh.approve(workflowId, { step: 'link-secret', decision: 'approve', approver: ONCALL });

    const final = await result(workflowId);
    expect(final.phase).toBe('done');
    expect(final.steps.map((s) => [s.id, s.state.state])).toEqual(SETUP_STEPS.map((id) => [id, 'done']));
    expect(final.approvals.map((a) => [a.step, a.decision, a.by.id])).toEqual([
      ['install-remote', 'approve', ONCALL.id],
      ['link-secret', 'approve', ONCALL.id],
    ]);
    expect(final.verify?.passed).toBe(true);
    expect(final.requester.id).toBe(REQUESTER.id);
    for (const step of SETUP_STEPS) expect(run.steps.count(step)).toBe(1);

    // wait-local's finding reached install-remote through the workflow, not by re-discovery
    expect(run.steps.inputs.get('install-remote')?.facts.localGatewayAddress).toBe('10.0.0.10');
    expect(run.steps.inputs.get('install-local')?.facts).toEqual({});
    expect(final.facts).toMatchObject({ localGatewayAddress: '10.0.0.10', remoteGatewayAddress: '10.1.0.20' });

    const types = run.notifier.types();
    expect(types[0]).toBe('started');
    expect(types.at(-1)).toBe('finished');
    expect(types).toEqual(
      expect.arrayContaining(['approval-requested:install-remote', 'approval-decided:install-remote', 'approval-requested:link-secret', 'step-changed:verify-split']),
    );
    // each event carries the ref the notifier returned for the one before
    expect(run.notifier.events[0].ref).toBeUndefined();
    run.notifier.events.slice(1).forEach((e, i) => expect(e.ref).toEqual({ message: String(i + 1) }));
    expect(run.notifier.events.at(-1)?.status.phase).toBe('done');
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'setup-happy-link-first');
  });

  it('ends rejected when an approver rejects, without running the gated step', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('reject'), REQUESTER);
    const run = fakes.add(workflowId);
    await statusWhen(env.mesh, workflowId, gateOpen('install-remote'), 'gate before install-remote');
    await env.mesh.approve(workflowId, { step: 'install-remote', decision: 'reject', approver: ONCALL, reason: 'not during the freeze' });

    const final = await result(workflowId);
    expect(final.phase).toBe('rejected');
    expect(final.outcome).toContain('U-ONCALL rejected install-remote: not during the freeze');
    expect(stepState(final, 'install-remote')).toEqual({ state: 'skipped', reason: 'install-remote was rejected' });
    expect(stepState(final, 'wait-local')?.state).toBe('done');
    expect(run.steps.count('install-remote')).toBe(0);
    expect(final.approvals).toHaveLength(1);
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'setup-rejected');
  });

  it('refuses the requester under four-eyes, anyone outside the policy, and the wrong step', async () => {
    const spec = specFor('refuse', { approval: { approvers: { users: ['U-LEAD'], groups: ['mesh-admins'] } } });
    const { workflowId } = await env.mesh.startSetup(spec, REQUESTER);
    fakes.add(workflowId);
    await statusWhen(env.mesh, workflowId, gateOpen('install-remote'), 'gate before install-remote');

    const asRequester = env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: { id: REQUESTER.id, groups: ['mesh-admins'] } });
    await expect(asRequester).rejects.toThrow(ApprovalRefusedError);
    await expect(asRequester).rejects.toThrow(/Four-eyes rule: U-REQUESTER requested this run and cannot approve it/);

    await expect(env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: ONCALL })).rejects.toThrow(
      'U-ONCALL may not approve install-remote: the approval policy allows users U-LEAD or groups mesh-admins. Ask one of them.',
    );
    await expect(env.mesh.approve(workflowId, { step: 'link-secret', decision: 'approve', approver: { id: 'U-LEAD' } })).rejects.toThrow(
      'The open gate is for install-remote, not link-secret',
    );

    const still = await env.mesh.status(workflowId);
    expect(still.phase).toBe('waiting-approval');
    expect(still.approvals).toEqual([]);

    // a member of an allowed group may
    await env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: { id: 'U-ADMIN', groups: ['mesh-admins'] } });
    // a second approval of the same step is refused, whichever moment it lands in: still at this gate,
    // between gates, or (fake steps are quick) already at the next one
    await expect(env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: { id: 'U-LEAD' } })).rejects.toThrow(
      /already approved by U-ADMIN|nothing to approve|The open gate is for link-secret, not install-remote/,
    );
    await statusWhen(env.mesh, workflowId, gateOpen('link-secret'), 'gate before link-secret');
    await env.mesh.cancel(workflowId, { by: ONCALL });
  });

  it('ends timed-out when nobody answers a gate in time, and refuses a late approval', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('timeout', { approval: { timeout: '3s' } }), REQUESTER);
    fakes.add(workflowId);
    const final = await result(workflowId);
    expect(final.phase).toBe('timed-out');
    expect(final.outcome).toBe('No one approved install-remote within 3s; done so far: preflight, install-local, wait-local. Start the setup again to continue.');
    expect(stepState(final, 'install-remote')).toEqual({ state: 'skipped', reason: 'no approval for install-remote' });

    await expect(env.mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: ONCALL })).rejects.toThrow(
      /already ended \(timed-out\); there is no gate left to approve/,
    );
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'setup-timed-out');
  });

  it('shows attempt 3 while a step retries after two transient failures, then finishes', async () => {
    const spec = specFor('transient', { approval: { gates: [] } });
    const { workflowId } = await env.mesh.startSetup(spec, REQUESTER);
    const run = fakes.add(workflowId, { 'install-local': { failTimes: 2, hold: true } });

    await run.steps.started('install-local', 3);
    const during = await statusWhen(env.mesh, workflowId, (s) => stepState(s, 'install-local')?.state === 'running' && (stepState(s, 'install-local') as { attempt: number }).attempt === 3, 'attempt 3');
    expect(stepState(during, 'install-local')).toMatchObject({ state: 'running', attempt: 3, lastError: 'install-local: transient failure 2 of 2' });
    run.steps.release('install-local');

    const final = await result(workflowId);
    expect(final.phase).toBe('done');
    expect(stepState(final, 'install-local')).toMatchObject({ state: 'done', summary: 'install-local done (fake, attempt 3)' });
    expect(run.steps.count('install-local')).toBe(3);
    expect(run.steps.count('wait-local')).toBe(1);
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'setup-transient');
  });

  it('ends failed with the activity\'s message on a non-retryable failure, without retrying', async () => {
    const message = 'Forbidden: meshops cannot create namespaces on nonretry-local. Grant it the meshops-installer ClusterRole.';
    const { workflowId } = await env.mesh.startSetup(specFor('nonretry', { approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId, { 'install-local': { nonRetryable: message } });

    const final = await result(workflowId);
    expect(final.phase).toBe('failed');
    expect(stepState(final, 'install-local')).toMatchObject({ state: 'failed', error: message });
    expect(final.outcome).toContain(`install-local (Install Istio on local) failed: ${message}`);
    expect(stepState(final, 'wait-local')).toEqual({ state: 'skipped', reason: 'install-local failed' });
    expect(run.steps.count('install-local')).toBe(1);
    expect(run.steps.cleanups).toEqual([]); // rollback is off in this spec
    await maybeRecordHistory(env.client.workflow.getHandle(workflowId), 'setup-non-retryable');
  });

  it('rolls back what was installed when a step fails and the spec asks for rollback', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('failrollback', { rollback: true, approval: { gates: [] } }), REQUESTER);
    const run = fakes.add(workflowId, { 'link-secret': { nonRetryable: 'Forbidden: cannot create secrets in istio-system on failrollback-local.' } });
    const final = await result(workflowId);
    expect(final.phase).toBe('failed');
    // the failed step is undone too: it may have applied part of what it applies
    expect(run.steps.cleanups).toEqual(['link-secret', 'install-remote', 'install-local']);
    expect(stepState(final, 'cleanup')).toMatchObject({ state: 'done', summary: 'rolled back link-secret (interrupted), install-remote, install-local' });
    expect(final.outcome).toMatch(/^link-secret \(Link remote cluster secret\) failed: Forbidden: .*Rolled back link-secret \(interrupted\), install-remote, install-local\.$/);
  });

  it('fails at once, naming the field, when started with bad input behind the client\'s back', async () => {
    const handle = await env.client.workflow.start('meshSetup', {
      taskQueue: env.taskQueue,
      workflowId: `raw-${env.taskQueue}`,
      args: [{ spec: { local: { context: 'a', network: 'n1' }, remote: { context: 'b', network: 'n1' } }, requester: { id: 'U1', via: 'pager' } }],
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toMatch(/^Invalid meshSetup input:\n.*requester\.via: /s);
    expect((err as WorkflowFailedError).cause?.message).toContain('spec.remote.network: local and remote must be on different Istio networks');
  });

  it('finishes the run when the notifier fails every call', async () => {
    const { workflowId } = await env.mesh.startSetup(specFor('mute', { approval: { gates: [] }, samples: { deploy: false } }), REQUESTER);
    const run = fakes.add(workflowId, {}, { failingNotifier: true });
    const final = await result(workflowId);
    expect(final.phase).toBe('done');
    expect(stepState(final, 'deploy-samples')).toEqual({ state: 'skipped', reason: 'samples.deploy is off in the spec' });
    expect(run.notifier.calls).toBeGreaterThan(0);
    expect(run.notifier.events).toEqual([]);
  });
});
