import { createMeshStepActivities } from '../../activities/mesh-steps';
import { meshSpecFor, MeshSpec } from '../../common/mesh-spec';

describe('step activity inputs', () => {
  const steps = createMeshStepActivities({ kubeconfigPath: '/nonexistent/kubeconfig', istioctlPath: '/nonexistent/istioctl' });

  it('refuses a spec that does not validate, naming the field and the fix, before touching a cluster', async () => {
    const spec = { ...MeshSpec.parse(meshSpecFor('local', 'remote')), remote: { context: 'local', network: 'network1' } };
    await expect(steps.preflight({ spec, facts: {} } as never)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('remote.context: local and remote must be two different kubeconfig contexts'),
    });
  });

  it('refuses facts of the wrong shape', async () => {
    const spec = MeshSpec.parse(meshSpecFor('local', 'remote'));
    await expect(steps.installRemote({ spec, facts: { localGatewayAddress: 42 } } as never)).rejects.toThrow(
      /Invalid install-remote input facts:\nlocalGatewayAddress: /,
    );
  });

  it("stops a run started in the seed's order at wait-remote, saying to start again, before touching a cluster", async () => {
    const spec = MeshSpec.parse(meshSpecFor('local', 'remote'));
    await expect(steps.waitRemote({ spec, facts: {}, procedure: 'seed-order' })).rejects.toMatchObject({
      type: 'SeedOrderRun',
      nonRetryable: true,
      message: expect.stringContaining('Cancel it (with rollback if wanted) and start the setup again'),
    });
  });
});
