import { Client, Connection } from '@temporalio/client';
import { createMeshStepActivities } from '../../activities/mesh-steps';
import { KubeClients } from '../../activities/kube/cluster-client';
import { MeshClient } from '../../client/mesh-client';
import { meshSpecFor } from '../../common/mesh-spec';
import type { MeshStatus } from '../../common/status';
import { SETUP_STEPS } from '../../common/steps';
import { acquireClusterLock } from '../harness/cluster-lock';
import { findBinary } from '../harness/kube';
import { istiodDebug } from '../harness/kube/istiod-debug';
import { testKubeconfigPath } from '../harness/kube/test-clusters';
import { ONCALL, REQUESTER, stepState } from '../harness/mesh-test-kit';
import { startMeshTestWorker } from '../harness/mesh-test-worker';
import type { ExecInPod } from '../../activities/kube/exec';
import { RecordingNotifier } from '../harness/recording-notifier';
import { CLUSTER_TEST_NAMESPACE, testTemporalAddress } from '../harness/temporal-server';
import { clusterSnapshot } from './cluster-snapshot';

const noExec: ExecInPod = async (_client, req) => {
  throw new Error(`the control-plane verdict execs nothing, but ${req.command.join(' ')} was run`);
};

let releaseIstioLock: (() => void) | undefined;
beforeAll(async () => {
  releaseIstioLock = await acquireClusterLock('istio-system');
}, 16 * 60_000);
afterAll(() => releaseIstioLock?.());

describe('the real meshSetup workflow on a real worker, the test clusters and their real istiod', () => {
  const kubeconfigPath = testKubeconfigPath();
  const istioctlPath = findBinary('istioctl');
  // no data plane runs here: the run asks for the control-plane verdict, as docs/test-clusters.md says
  const specInput = meshSpecFor('local', 'remote', { verify: { verdicts: ['control-plane'] }, purge: true });
  const taskQueue = `mesh-activities-${Date.now()}`;

  jest.setTimeout(600_000);

  it('runs every step done through verify-split in the new order; istiod serves both clusters; teardown leaves every object as before', async () => {
    const clients = new KubeClients(kubeconfigPath);
    const [local, remote] = [clients.forContext('local'), clients.forContext('remote')];
    const before = { local: await clusterSnapshot(local), remote: await clusterSnapshot(remote) };
    const activities = {
      // the test clusters' istioctl is a development build: the worker must be told to accept it
      ...createMeshStepActivities({ kubeconfigPath, istioctlPath, allowDevIstioctl: true, execInPod: noExec, timeouts: { rolloutMs: 150_000 } }),
      ...new RecordingNotifier().activities(),
    };
    // Its own Temporal namespace: other tests run mesh-setup/local--remote with fake steps.
    const worker = await startMeshTestWorker(taskQueue, activities, CLUSTER_TEST_NAMESPACE);
    const connection = await Connection.connect({ address: testTemporalAddress() });
    try {
      const client = new Client({ connection, namespace: CLUSTER_TEST_NAMESPACE });
      const mesh = new MeshClient({ client, taskQueue });
      // Real installs take minutes on a busy machine: poll the status query with a deadline of 5 min.
      const statusWhen = async (workflowId: string, check: (s: MeshStatus) => boolean, what: string) => {
        const deadline = Date.now() + 300_000;
        for (;;) {
          const s = await mesh.status(workflowId);
          if (check(s)) return s;
          if (s.phase === 'failed' || Date.now() > deadline) throw new Error(`${what}: run is ${s.phase} (${s.outcome ?? JSON.stringify(s.steps)})`);
          await new Promise((r) => setTimeout(r, 500));
        }
      };
      const gateOpen = (step: string) => (s: MeshStatus) => s.phase === 'waiting-approval' && stepState(s, step)?.state === 'waiting-approval';

      const { workflowId } = await mesh.startSetup(specInput, REQUESTER);
      await statusWhen(workflowId, gateOpen('install-remote'), 'gate before install-remote');
      await mesh.approve(workflowId, { step: 'install-remote', decision: 'approve', approver: ONCALL });
      // link-secret now comes right after install-remote: the remote gateway waits for it
      const atLink = await statusWhen(workflowId, gateOpen('link-secret'), 'gate before link-secret');
      expect(stepState(atLink, 'wait-remote')?.state).toBe('pending');
      await mesh.approve(workflowId, { step: 'link-secret', decision: 'approve', approver: ONCALL });
      const final = (await client.workflow.getHandle(workflowId).result()) as MeshStatus;

      expect(final.steps.map((s) => [s.id, s.state.state])).toEqual(SETUP_STEPS.map((id) => [id, 'done']));
      expect(final.phase).toBe('done');
      expect(final.facts.localGatewayAddress).toMatch(/^192\.0\.2\.\d+$/);
      expect(final.facts.remoteGatewayAddress).toMatch(/^198\.51\.100\.\d+$/);
      expect(final.verify).toMatchObject({ passed: true, controlPlane: { passed: true, diagnostics: [], warnings: [] }, dataPlane: { checked: false } });
      expect(final.verify?.dataPlane?.reason).toMatch(/^Traffic through the mesh was not checked/);
      const endpoints = final.verify?.controlPlane?.endpoints ?? [];
      expect(endpoints.map((e) => [e.kind, e.weight]).sort()).toEqual([['local-pod', 1], ['remote-gateway', 1]]);
      expect(endpoints.find((e) => e.kind === 'remote-gateway')?.endpoint).toBe(`${final.facts.remoteGatewayAddress}:15443`);
      expect(endpoints.find((e) => e.kind === 'local-pod')?.endpoint).toMatch(/^10\.244\.\d+\.\d+:5000$/);
      const clusters = await istiodDebug<{ id: string; syncStatus: string }[]>('/debug/clusterz');
      expect(clusters.map((c) => [c.id, c.syncStatus])).toEqual([['local', 'synced'], ['remote', 'synced']]);
      const history = JSON.stringify((await client.workflow.getHandle(workflowId).fetchHistory()).events);
      expect(history).not.toMatch(/eyJhbGci|BEGIN (RSA |)PRIVATE KEY|certificate-authority-data/);

      const teardown = await mesh.teardown(specInput, REQUESTER);
      const torn = (await client.workflow.getHandle(teardown.workflowId).result()) as MeshStatus;
      expect(torn.phase).toBe('done');
      expect(torn.steps.map((s) => s.id)).toEqual(['deploy-samples', 'patch-gateway', 'wait-remote', 'link-secret', 'install-remote', 'install-local']);
      expect({ local: await clusterSnapshot(local), remote: await clusterSnapshot(remote) }).toEqual(before);
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});
