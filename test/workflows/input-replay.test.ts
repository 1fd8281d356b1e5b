import { join } from 'node:path';
import { type BundleOptions, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { MeshStatus } from '../../common/status';
import { FakeRuns } from '../harness/fake-runs';
import { useMeshTestEnv } from '../harness/mesh-test-env';
import { ONCALL, statusWhen } from '../harness/mesh-test-kit';
import { CHANGED_DEFAULT_MARKER } from './fixtures/approval-policy-no-default-gates';

const WORKFLOWS = require.resolve('../../workflows');
const FIXTURES = join(__dirname, 'fixtures');
const CHANGED_POLICY = join(FIXTURES, 'approval-policy-no-default-gates.ts');

/** The product's workflows with common/approval-policy.ts swapped for a release whose default has no gates. */
function bundleWithChangedDefault(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    webpackConfigHook: (config: Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0]) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        {
          apply(compiler) {
            new compiler.webpack.NormalModuleReplacementPlugin(/[\\/]approval-policy$/, (resource: { context: string; request: string }) => {
              if (resource.context !== FIXTURES) resource.request = CHANGED_POLICY;
            }).apply(compiler);
          },
        },
      ],
    }),
  });
}

describe('a run replays with the input it started with, whatever common/ defaults become', () => {
  const fakes = new FakeRuns();
  const env = useMeshTestEnv('input-replay', () => fakes.activities());

  it('replays a run started without approval.gates after the default changed to none', async () => {
    // Started behind MeshClient's back (temporal CLI, UI): the workflow fills the defaults itself.
    const workflowId = `input-replay-${Date.now()}`;
    const handle = await env.client.workflow.start('meshSetup', {
      taskQueue: env.taskQueue,
      workflowId,
      args: [{ spec: { local: { context: 'replay-local', network: 'network1' }, remote: { context: 'replay-remote', network: 'network2' } }, requester: { id: 'U-CLI', via: 'cli' } }],
    });
    fakes.add(workflowId);
    for (const step of ['install-remote', 'link-secret'] as const) {
      await statusWhen(env.mesh, workflowId, (s) => s.steps.find((x) => x.id === step)?.state.state === 'waiting-approval', `gate before ${step}`);
      await env.mesh.approve(workflowId, { step, decision: 'approve', approver: ONCALL });
    }
    expect(((await handle.result()) as MeshStatus).phase).toBe('done');
    const history = await handle.fetchHistory();

    const changed = await bundleWithChangedDefault();
    expect(changed.code).toContain(CHANGED_DEFAULT_MARKER);
    // Parsed again under the new default, the run would skip both gates: a different command sequence.
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, history, workflowId)).resolves.toBeUndefined();
    await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS }, history, workflowId)).resolves.toBeUndefined();
  });
});
