import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { applyManifest } from './apply';
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
async function createNamespace(kc: KubeConfig): Promise<void> {
  await applyManifest(kc, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${istioSystem}\n`);
}

describe('Istio manifests on the test clusters', () => {
  const local = testKubeConfig('local');
  const remote = testKubeConfig('remote');
  let gatewayAddress = '';

  it('applies a primary profile to local with server-side apply and its control plane becomes Ready', async () => {
    await createNamespace(local);
    const manifest = await render([
      'profile=default',
      'values.global.meshID=mesh1',
      'values.global.multiCluster.clusterName=local',
      'values.global.network=network1',
    ]);
    const objects = await applyManifest(local, manifest);
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
    await createNamespace(remote);
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
    await applyManifest(remote, manifest);
    expect(await deploymentsReady(remote)).toEqual(['istio-ingressgateway']);
    const core = remote.makeApiClient(CoreV1Api);
    await until('the remote gateway load-balancer address', async () => {
      const svc = await core.readNamespacedService({ name: 'istio-ingressgateway', namespace: istioSystem });
      return /^198\.51\.100\.\d+$/.test(svc.status?.loadBalancer?.ingress?.[0]?.ip ?? '') || 'no address yet';
    });
  }, slow);
});
