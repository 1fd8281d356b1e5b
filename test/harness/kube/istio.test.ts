import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { acquireClusterLock } from '../cluster-lock';
import { applyManifest, deleteManifestObjects } from './apply';
import { findBinary } from './binaries';
import { testKubeConfig } from './test-clusters';
import { until } from './wait';

const run = promisify(execFile);
const istioSystem = 'istio-system';

/** `istioctl manifest generate` offline, as the install activities render Istio. */
async function render(settings: string[]): Promise<string> {
  const args = ['manifest', 'generate', ...settings.flatMap((s) => ['--set', s])];
  const { stdout } = await run(findBinary('istioctl'), args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Pods start as fast as kwok plays them; the bound is for a loaded two-core machine. */
const slow = 300_000;

async function deploymentsReady(kc: KubeConfig): Promise<string[]> {
  const apps = kc.makeApiClient(AppsV1Api);
  let names: string[] = [];
  await until(`the ${kc.getCurrentContext()} control-plane Deployments to be Ready`, async () => {
    const { items } = await apps.listNamespacedDeployment({ namespace: istioSystem });
    names = items.map((d) => d.metadata!.name!).sort();
    const waiting = items.filter((d) => (d.status?.readyReplicas ?? 0) < (d.spec?.replicas ?? 1));
    if (items.length === 0) return 'no Deployments yet';
    return waiting.length === 0 || `not Ready: ${waiting.map((d) => d.metadata?.name).join(', ')}`;
  }, slow - 60_000);
  return names;
}

/** The seed's `kubectl create ns istio-system`; istioctl's output does not hold the namespace. */
async function createNamespace(kc: KubeConfig): Promise<KubernetesObject[]> {
  return applyManifest(kc, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${istioSystem}\n`);
}

/** Leaves the shared cluster as it was: every applied object deleted and istio-system gone. */
async function uninstall(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  await deleteManifestObjects(kc, objects);
  const core = kc.makeApiClient(CoreV1Api);
  await until(`istio-system to be deleted from ${kc.getCurrentContext()}`, async () => {
    const gone = await core.readNamespace({ name: istioSystem }).then(
      () => false,
      (err: { code?: number }) => err.code === 404,
    );
    return gone || 'still terminating';
  });
}

describe('Istio manifests on the test clusters', () => {
  const local = testKubeConfig('local');
  const remote = testKubeConfig('remote');
  let gatewayAddress = '';
  const applied: Record<'local' | 'remote', KubernetesObject[]> = { local: [], remote: [] };
  let release: (() => void) | undefined;

  // Other test files install Istio on the same shared clusters: take turns, and clean up.
  beforeAll(async () => {
    release = await acquireClusterLock('istio-system');
  }, 16 * 60_000);

  afterAll(async () => {
    try {
      await Promise.all([uninstall(local, applied.local), uninstall(remote, applied.remote)]);
    } finally {
      release?.();
    }
  }, slow);

  it('applies a primary profile to local with server-side apply and its control plane becomes Ready', async () => {
    applied.local.push(...(await createNamespace(local)));
    const manifest = await render([
      'profile=default',
      'values.global.meshID=mesh1',
      'values.global.multiCluster.clusterName=local',
      'values.global.network=network1',
    ]);
    const objects = await applyManifest(local, manifest);
    applied.local.push(...objects);
    expect(objects.filter((o) => o.kind === 'CustomResourceDefinition').length).toBeGreaterThan(10);

    expect(await deploymentsReady(local)).toEqual(['istio-ingressgateway', 'istiod']);
    const core = local.makeApiClient(CoreV1Api);
    await until('the local gateway load-balancer address', async () => {
      const svc = await core.readNamespacedService({ name: 'istio-ingressgateway', namespace: istioSystem });
      gatewayAddress = svc.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
      return gatewayAddress !== '' || 'no address yet';
    });
    expect(gatewayAddress).toMatch(/^192\.0\.2\.\d+$/);
    const managers = (await core.readNamespacedService({ name: 'istiod', namespace: istioSystem })).metadata
      ?.managedFields?.map((f) => f.manager);
    expect(managers).toContain('meshops');
  }, slow);

  it('applies a remote profile pointing at the local gateway to remote and its Deployments become Ready', async () => {
    expect(gatewayAddress).not.toBe('');
    applied.remote.push(...(await createNamespace(remote)));
    const manifest = await render([
      'profile=remote',
      'values.global.meshID=mesh1',
      'values.global.multiCluster.clusterName=remote',
      'values.global.network=network2',
      `values.global.remotePilotAddress=${gatewayAddress}`,
      'values.istiodRemote.injectionPath=/inject/cluster/remote/net/network2',
      'components.ingressGateways[0].name=istio-ingressgateway',
      'components.ingressGateways[0].enabled=true',
    ]);
    applied.remote.push(...(await applyManifest(remote, manifest)));
    expect(await deploymentsReady(remote)).toEqual(['istio-ingressgateway']);
    const core = remote.makeApiClient(CoreV1Api);
    await until('the remote gateway load-balancer address', async () => {
      const svc = await core.readNamespacedService({ name: 'istio-ingressgateway', namespace: istioSystem });
      return /^198\.51\.100\.\d+$/.test(svc.status?.loadBalancer?.ingress?.[0]?.ip ?? '') || 'no address yet';
    });
  }, slow);
});
