import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AuthenticationV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { applyObjects, deleteObjects } from '../../../activities/kube/apply';
import { KubeClients } from '../../../activities/kube/cluster-client';
import { applyNamespace } from '../../../activities/kube/namespaces';
import { createMeshStepActivities } from '../../../activities/mesh-steps';
import { istioNamespace } from '../../../activities/istio/mesh-objects';
import { localControlPlane } from '../../../activities/istio/steps/install-manifests';
import { meshSpecFor, MeshSpec } from '../../../common/mesh-spec';
import { acquireClusterLock } from '../cluster-lock';
import { findBinary } from './binaries';
import { istiodDebug } from './istiod-debug';
import { testKubeConfig, testKubeconfigPath } from './test-clusters';
import { until } from './wait';

/** pids of processes whose working directory is the pod's root (what the agent runs for it). */
function processesIn(root: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === root && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith(findBinary('pilot-discovery'));
      } catch {
        return false;
      }
    });
}

/**
 * The test clusters run the real pilot-discovery behind every istiod pod (agent/process-pods.ts):
 * with the Deployment's args and env, its volumes, in a network of its own at the pod IP, as the
 * pod's own service account; Ready by its readiness probe; restarted when it dies; gone with its pod.
 */
describe('istiod on the test clusters is a real pilot-discovery', () => {
  const kubeconfigPath = testKubeconfigPath();
  const local = new KubeClients(kubeconfigPath).forContext('local');
  const core = testKubeConfig('local').makeApiClient(CoreV1Api);
  // purge: the clusters are left as found, CRDs included (the mesh tests compare every object)
  const spec = MeshSpec.parse(meshSpecFor('local', 'remote', { purge: true }));
  let release: (() => void) | undefined;
  let objects: Awaited<ReturnType<typeof localControlPlane>>;
  let pod: V1Pod;
  const root = () => join(dirname(kubeconfigPath), 'local', 'pods', `istio-system_${pod.metadata?.name}`);
  const readyIstiod = async () => {
    const { items } = await core.listNamespacedPod({ namespace: 'istio-system', labelSelector: 'app=istiod' });
    const found = items.find((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (found) pod = found;
    return !!found || `no Ready istiod pod (${items.map((p) => p.status?.phase).join(', ') || 'none'})`;
  };

  jest.setTimeout(300_000);

  beforeAll(async () => {
    release = await acquireClusterLock('istio-system');
    objects = await localControlPlane(findBinary('istioctl'), spec, undefined);
    await applyNamespace(local, istioNamespace(spec, 'local'));
    await applyObjects(local, [...objects.Base, ...objects.Pilot]);
  }, 16 * 60_000);

  afterAll(async () => {
    try {
      // what istiod wrote goes too (its root certificate in every namespace): the product's own cleanup
      await createMeshStepActivities({ kubeconfigPath, istioctlPath: findBinary('istioctl') }).cleanupStep({ spec, facts: {}, step: 'install-local' });
    } finally {
      release?.();
    }
  });

  it("becomes Ready through its own /ready, running the Deployment's args as istiod's service account", async () => {
    await until('istiod to be Ready', readyIstiod, 120_000);
    const deployment = objects.Pilot.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const [pid] = processesIn(root());
    expect(pid).toBeDefined();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline.slice(1)).toEqual(deployment.spec.template.spec.containers[0].args);
    const env = Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((l) => l.split(/=(.*)/s, 2)));
    expect(env).toMatchObject({ POD_NAME: pod.metadata?.name, POD_NAMESPACE: 'istio-system', SERVICE_ACCOUNT: 'istiod', CLUSTER_ID: 'local', EXTERNAL_ISTIOD: 'true' });
    // the kubeconfig it gets is in-cluster config: the pod's own projected token, reviewed as istiod's service account
    const kubeconfig = parse(readFileSync(env.KUBECONFIG, 'utf8')) as { users: { user: { tokenFile: string } }[] };
    const token = readFileSync(kubeconfig.users[0].user.tokenFile, 'utf8');
    const review = await testKubeConfig('local').makeApiClient(AuthenticationV1Api).createTokenReview({ body: { spec: { token } } });
    expect(review.status?.user?.username).toBe('system:serviceaccount:istio-system:istiod');
    // its plug-in CA directory is where istiod reads it (ROOT_CA_DIR ./etc/cacerts, relative to its working directory)
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(root());
  });

  it('serves its own pod network: debug on the pod\'s localhost; it wrote istio-ca-root-cert into every namespace', async () => {
    expect(pod.status?.podIP).toMatch(/^10\.244\./);
    const clusters = await istiodDebug<{ id: string; syncStatus: string }[]>('/debug/clusterz');
    expect(clusters).toEqual([{ id: 'local', secretName: '', syncStatus: 'synced' }]);
    for (const namespace of ['default', 'kube-system', 'istio-system']) {
      await until(`istio-ca-root-cert in ${namespace}`, async () => {
        const cm = await core.readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace });
        return cm.metadata?.labels?.['istio.io/config'] === 'true' || 'unlabelled';
      }, 60_000);
    }
  });

  it('is restarted at once when it dies, in CrashLoopBackOff when it dies again, and Ready again', async () => {
    const status = async () => (await core.readNamespacedPod({ name: pod.metadata!.name!, namespace: 'istio-system' })).status?.containerStatuses?.[0];
    const [first] = processesIn(root());
    process.kill(first, 'SIGKILL');
    await until('the first restart, at once', async () => {
      const s = await status();
      return (s?.restartCount === 1 && s.lastState?.terminated?.exitCode === 137 && processesIn(root()).some((p) => p !== first)) || JSON.stringify(s);
    }, 60_000);
    await until('istiod to be Ready again', readyIstiod, 120_000);
    const [second] = processesIn(root());
    process.kill(second, 'SIGKILL');
    await until('CrashLoopBackOff', async () => {
      const s = await status();
      return (s?.restartCount === 2 && s.state?.waiting?.reason === 'CrashLoopBackOff' && /^back-off 10s restarting failed container=discovery pod=istiod-/.test(s.state.waiting.message ?? '')) || JSON.stringify(s);
    }, 30_000);
    await until('istiod to be Ready after the back-off', readyIstiod, 120_000);
    expect(processesIn(root())).toHaveLength(1);
  });

  it('stops with its Deployment, and only then is its pod gone', async () => {
    const deployment = objects.Pilot.filter((o) => o.kind === 'Deployment');
    const was = root();
    await deleteObjects(local, deployment);
    await until('the pod to be deleted', async () => (await core.listNamespacedPod({ namespace: 'istio-system', labelSelector: 'app=istiod' })).items.length === 0 || 'still there', 60_000);
    expect(processesIn(was)).toEqual([]);
  });
});
