import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { renderIstioOperator } from '../../activities/istio/istioctl';
import { parseMeshNetworks } from '../../activities/istio/mesh-networks';
import { eastWestGatewayOverlay, remoteOverlay } from '../../activities/istio/operator-overlays';
import { localInstallManifests } from '../../activities/istio/steps/install-manifests';
import { meshSpecFor, MeshSpec } from '../../common/mesh-spec';
import { findBinary } from '../harness/kube';

/** Real istioctl renders of the primary-remote profile (no cluster needed). */
describe('rendering with istioctl manifest generate', () => {
  const istioctl = findBinary('istioctl');
  const spec = MeshSpec.parse(meshSpecFor('local', 'remote', { meshId: 'mesh7' }));
  const find = (objs: { kind: string; metadata: { name: string } }[], kind: string, name: string) =>
    objs.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, unknown> | undefined;

  it('renders local: CRDs, istiod with EXTERNAL_ISTIOD, mesh ID, cluster name, network, the seed\'s meshNetworks placeholder, the east-west gateway', async () => {
    const objs = await localInstallManifests(istioctl, spec, '0.0.0.0');
    expect(objs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network1' } } });
    expect(objs.filter((o) => o.kind === 'CustomResourceDefinition').length).toBeGreaterThanOrEqual(10);
    const istiod = JSON.stringify(find(objs, 'Deployment', 'istiod'));
    expect(istiod).toContain('"name":"EXTERNAL_ISTIOD","value":"true"');
    expect(istiod).toContain('"name":"CLUSTER_ID","value":"local"');
    const cm = find(objs, 'ConfigMap', 'istio') as { data: { mesh: string; meshNetworks: string } };
    expect(cm.data.mesh).toContain('meshId: mesh7');
    expect(parseMeshNetworks(cm.data.meshNetworks).networks.network2).toEqual({ endpoints: [{ fromRegistry: 'remote' }], gateways: [{ address: '0.0.0.0', port: 15443 }] });
    const gw = find(objs, 'Service', 'istio-eastwestgateway') as { spec: { type: string; ports: { port: number }[] }; metadata: { labels: Record<string, string> } };
    expect(gw.spec.type).toBe('LoadBalancer');
    expect(gw.spec.ports.map((p) => p.port)).toEqual([15021, 15443, 15012, 15017]);
    expect(gw.metadata.labels).toMatchObject({ istio: 'eastwestgateway', 'topology.istio.io/network': 'network1' });
    expect(find(objs, 'Gateway', 'istiod-gateway')).toBeDefined();
    expect(objs.every((o) => o.kind === 'Namespace' || o.kind.endsWith('Definition') || o.kind.startsWith('Cluster') || o.kind.endsWith('WebhookConfiguration') || o.metadata.namespace === 'istio-system')).toBe(true);
  });

  it('kills istioctl and rejects with the SDK\'s cancellation when the activity is cancelled', async () => {
    const env = new MockActivityEnvironment();
    env.on('heartbeat', () => env.cancel());
    const started = Date.now();
    await expect(env.run(() => renderIstioOperator(istioctl, remoteOverlay(spec, '192.0.2.9'), 'remote'))).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('renders remote: no istiod Deployment, its istiod endpoints at remotePilotAddress, network2', async () => {
    const objs = await renderIstioOperator(istioctl, remoteOverlay(spec, '192.0.2.9'), 'remote');
    expect(find(objs, 'Deployment', 'istiod')).toBeUndefined();
    expect(JSON.stringify(find(objs, 'EndpointSlice', 'istiod'))).toContain('192.0.2.9');
    const gateway = await renderIstioOperator(istioctl, eastWestGatewayOverlay(spec, 'remote'), 'remote gateway');
    expect(JSON.stringify(find(gateway, 'Deployment', 'istio-eastwestgateway'))).toContain('"name":"ISTIO_META_REQUESTED_NETWORK_VIEW","value":"network2"');
  });

  it('heartbeats while istioctl runs, when called in an activity', async () => {
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    await env.run(() => renderIstioOperator(istioctl, eastWestGatewayOverlay(spec, 'local'), 'local gateway'));
    expect(beats[0]).toEqual({ rendering: 'local gateway' });
  });

  it('names a missing istioctl and an overlay istioctl refuses, as non-retryable', async () => {
    const missing = await renderIstioOperator('/nonexistent/istioctl', {}, 'local').catch((e: unknown) => e as ApplicationFailure);
    expect(missing).toMatchObject({ type: 'IstioctlMissing', nonRetryable: true });
    expect((missing as Error).message).toContain('istioctl not found at /nonexistent/istioctl: install it (scripts/provision-kube.sh istioctl)');
    const bad = await renderIstioOperator(istioctl, { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', spec: { profile: 'no-such-profile' } }, 'local').catch(
      (e: unknown) => e as ApplicationFailure,
    );
    expect(bad).toMatchObject({ type: 'IstioctlRenderFailed', nonRetryable: true });
    expect((bad as Error).message).toMatch(/^istioctl could not render the local manifests: .*no-such-profile/);
  });
});
