import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { checkIstioctlVersion, istioctlVersion, istioctlVersionProblem, renderComponents } from '../../activities/istio/istioctl';
import { parseConfig } from '../../common/config';
import { parseMeshNetworks } from '../../activities/istio/mesh-networks';
import { eastWestGatewayOverlay, remoteOverlay } from '../../activities/istio/operator-overlays';
import { localControlPlane, localGateways, remoteGateway, remoteProfile } from '../../activities/istio/steps/install-manifests';
import { meshSpecFor, MeshSpec } from '../../common/mesh-spec';
import { findBinary } from '../harness/kube';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

/** Real istioctl renders of the primary-remote profile (no cluster needed). */
describe('rendering with istioctl manifest generate', () => {
  const istioctl = findBinary('istioctl');
  const spec = MeshSpec.parse(meshSpecFor('local', 'remote', { meshId: 'mesh7' }));
  const find = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, unknown> | undefined;
  const images = (objs: Obj[]) => [...JSON.stringify(objs).matchAll(/"image":"([^"]+)"/g)].map((m) => m[1]);

  it("renders local's control plane per component, as istioctl install splits it: Base (CRDs), Pilot (istiod, EXTERNAL_ISTIOD, mesh ID, network)", async () => {
    const { Base, Pilot } = await localControlPlane(istioctl, spec, undefined);
    expect(Base.filter((o) => o.kind === 'CustomResourceDefinition').length).toBeGreaterThanOrEqual(10);
    expect(find(Base, 'Deployment', 'istiod')).toBeUndefined();
    const istiod = JSON.stringify(find(Pilot, 'Deployment', 'istiod'));
    expect(istiod).toContain('"name":"EXTERNAL_ISTIOD","value":"true"');
    expect(istiod).toContain('"name":"CLUSTER_ID","value":"local"');
    const cm = find(Pilot, 'ConfigMap', 'istio') as { data: { mesh: string; meshNetworks: string } };
    expect(cm.data.mesh).toContain('meshId: mesh7');
    // no gateway until patch-gateway knows the real address: never the seed's 0.0.0.0
    expect(parseMeshNetworks(cm.data.meshNetworks).networks.network2).toEqual({ endpoints: [], gateways: [] });
    expect([...Base, ...Pilot].every((o) => o.kind.endsWith('Definition') || o.kind.startsWith('Cluster') || o.kind.endsWith('WebhookConfiguration') || o.metadata.namespace === 'istio-system')).toBe(true);
  });

  it("names the spec's release images (hub and tag), not the dev build's registry.istio.io/testing/*:latest", async () => {
    const { Pilot } = await localControlPlane(istioctl, spec, undefined);
    expect(images(Pilot)).toEqual(['registry.istio.io/release/pilot:1.31.0']);
    const injector = find(Pilot, 'ConfigMap', 'istio-sidecar-injector') as { data: { values: string } };
    expect(JSON.parse(injector.data.values).global).toMatchObject({ hub: 'registry.istio.io/release', tag: '1.31.0' });
    const other = MeshSpec.parse(meshSpecFor('local', 'remote', { istio: { version: '1.31.2', hub: 'mirror.example.com/istio' } }));
    expect(images((await localControlPlane(istioctl, other, undefined)).Pilot)).toEqual(['mirror.example.com/istio/pilot:1.31.2']);
  });

  it('labels every object as istioctl install does, owned by the meshops overlay that rendered it', async () => {
    const { Base, Pilot } = await localControlPlane(istioctl, spec, undefined);
    for (const o of [...Base, ...Pilot]) {
      expect(o.metadata.labels).toMatchObject({
        'operator.istio.io/component': Base.includes(o) ? 'Base' : 'Pilot',
        'operator.istio.io/managed': 'Reconcile',
        'install.operator.istio.io/owning-resource': 'meshops',
        'istio.io/rev': 'default',
      });
    }
    const gateway = await remoteGateway(istioctl, spec);
    expect(gateway.every((o) => o.metadata.labels?.['install.operator.istio.io/owning-resource'] === 'meshops-eastwest')).toBe(true);
  });

  it("renders the east-west gateways as gen-eastwest-gateway.sh does: network label (local Service only), REQUESTED_NETWORK_VIEW, 15443/15012/15017, image: auto for the gateway injection template", async () => {
    const local = await localGateways(istioctl, spec, undefined);
    const svc = find(local, 'Service', 'istio-eastwestgateway') as { spec: { type: string; ports: { port: number }[] }; metadata: { labels: Record<string, string> } };
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p) => p.port)).toEqual([15021, 15443, 15012, 15017]);
    expect(svc.metadata.labels).toMatchObject({ istio: 'eastwestgateway', 'topology.istio.io/network': 'network1' });
    const deployment = find(local, 'Deployment', 'istio-eastwestgateway') as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'inject.istio.io/templates': 'gateway', 'sidecar.istio.io/inject': 'true' });
    expect(JSON.stringify(deployment)).toContain('"image":"auto"');
    // exposure of istiod for the remote and of services across networks, in istio-system
    expect(find(local, 'Gateway', 'istiod-gateway')).toBeDefined();
    expect(JSON.stringify(find(local, 'Gateway', 'cross-network-gateway'))).toContain('AUTO_PASSTHROUGH');
    const remote = await remoteGateway(istioctl, spec);
    expect(JSON.stringify(find(remote, 'Deployment', 'istio-eastwestgateway'))).toContain('"name":"ISTIO_META_REQUESTED_NETWORK_VIEW","value":"network2"');
    // network2's gateway is meshNetworks' (patch-gateway): a labelled Service too would be a second one
    const remoteSvc = find(remote, 'Service', 'istio-eastwestgateway') as { metadata: { labels: Record<string, string> } };
    expect(remoteSvc.metadata.labels).toMatchObject({ istio: 'eastwestgateway' });
    expect(remoteSvc.metadata.labels).not.toHaveProperty(['topology.istio.io/network']);
    const remoteDeployment = find(remote, 'Deployment', 'istio-eastwestgateway') as { spec: { selector: { matchLabels: Record<string, string> } } };
    expect(remoteDeployment.spec.selector.matchLabels).toMatchObject({ 'topology.istio.io/network': 'network2' });
  });

  it("renders remote: no istiod Deployment, its reader role from the remote profile (webhook patching), its istiod endpoints at remotePilotAddress", async () => {
    const objs = await remoteProfile(istioctl, spec, '192.0.2.9');
    expect(find(objs, 'Deployment', 'istiod')).toBeUndefined();
    expect(JSON.stringify(find(objs, 'EndpointSlice', 'istiod'))).toContain('192.0.2.9');
    const reader = JSON.stringify(find(objs, 'ClusterRole', 'istio-reader-clusterrole-istio-system'));
    expect(reader).toContain('mutatingwebhookconfigurations');
    expect(reader).toMatch(/"configmaps"\],"verbs":\["create","get","list","watch","update"\]/);
    expect(find(objs, 'ServiceAccount', 'istio-reader-service-account')).toBeDefined();
  });

  it("refuses the test clusters' development istioctl unless the worker allows one (MESHOPS_ALLOW_DEV_ISTIOCTL), naming the fix", async () => {
    expect(await istioctlVersion(istioctl)).toBe('1.31-dev');
    const refused = await checkIstioctlVersion(istioctl, spec).catch((e: unknown) => e as ApplicationFailure);
    expect(refused).toMatchObject({ type: 'IstioctlVersionMismatch', nonRetryable: true });
    expect((refused as Error).message).toBe(
      `istioctl 1.31-dev (${istioctl}) is a development build, not the Istio 1.31.0 release the spec asks for: its charts are not that release's. ` +
        'Give the worker istioctl 1.31.0 (MESHOPS_ISTIOCTL); or, to render with a development build of 1.31 on purpose (as on test clusters), set MESHOPS_ALLOW_DEV_ISTIOCTL=true for the worker.',
    );
    await expect(checkIstioctlVersion(istioctl, spec, true)).resolves.toBe('1.31-dev');
  });

  it("refuses, even when dev builds are allowed, an istioctl whose minor release differs from the spec's, naming both and the fix", async () => {
    const old = MeshSpec.parse(meshSpecFor('local', 'remote', { istio: { version: '1.28.1' } }));
    const refused = await checkIstioctlVersion(istioctl, old, true).catch((e: unknown) => e as ApplicationFailure);
    expect(refused).toMatchObject({ type: 'IstioctlVersionMismatch', nonRetryable: true });
    expect((refused as Error).message).toMatch(/istioctl 1\.31-dev .* renders Istio 1\.31, but the spec asks for Istio 1\.28\.1\. Give the worker an istioctl 1\.28 \(MESHOPS_ISTIOCTL\), or set istio=1\.31\.<patch>/);
  });

  it('takes a release istioctl only for exactly the release the spec names (another patch is refused with the fix, dev builds allowed or not)', () => {
    // what `istioctl version` of a release reports; no release istioctl can be built here (its tags are not on the Go module proxy)
    for (const allowDev of [false, true]) {
      expect(istioctlVersionProblem('1.31.0', '/opt/istioctl', spec, allowDev)).toBeUndefined();
      expect(istioctlVersionProblem('1.31.1', '/opt/istioctl', spec, allowDev)).toBe(
        "istioctl 1.31.1 (/opt/istioctl) renders Istio 1.31.1, but the spec asks for Istio 1.31.0: its charts are those of its own release. Give the worker istioctl 1.31.0 (MESHOPS_ISTIOCTL), or set istio=1.31.1 in the spec.",
      );
      expect(istioctlVersionProblem('1.30.0', '/opt/istioctl', spec, allowDev)).toContain('Give the worker istioctl 1.31.0 (MESHOPS_ISTIOCTL), or set istio=1.30.0 in the spec.');
    }
  });

  it('reads MESHOPS_ALLOW_DEV_ISTIOCTL into the worker config (default: refused), and refuses a value that is not true or false', () => {
    expect(parseConfig({ env: {}, home: '/home/x' }).allowDevIstioctl).toBe(false);
    expect(parseConfig({ env: { MESHOPS_ALLOW_DEV_ISTIOCTL: 'true' }, home: '/home/x' }).allowDevIstioctl).toBe(true);
    expect(parseConfig({ env: { MESHOPS_ALLOW_DEV_ISTIOCTL: 'false' }, home: '/home/x' }).allowDevIstioctl).toBe(false);
    expect(() => parseConfig({ env: { MESHOPS_ALLOW_DEV_ISTIOCTL: 'yes' }, home: '/home/x' })).toThrow(/allowDevIstioctl is set by MESHOPS_ALLOW_DEV_ISTIOCTL/);
  });

  it("kills istioctl and rejects with the SDK's cancellation when the activity is cancelled", async () => {
    const env = new MockActivityEnvironment();
    env.on('heartbeat', () => env.cancel());
    const started = Date.now();
    await expect(env.run(() => renderComponents(istioctl, remoteOverlay(spec, '192.0.2.9'), ['Base'], 'remote'))).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('heartbeats while istioctl runs, when called in an activity', async () => {
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    await env.run(() => renderComponents(istioctl, eastWestGatewayOverlay(spec, 'local'), ['IngressGateways'], 'local gateway'));
    expect(beats).toContainEqual({ running: 'istioctl: render the local gateway manifests (IngressGateways)' });
  });

  it('names a missing istioctl and an overlay istioctl refuses, as non-retryable', async () => {
    const missing = await renderComponents('/nonexistent/istioctl', remoteOverlay(spec, '192.0.2.9'), ['Base'], 'local').catch((e: unknown) => e as ApplicationFailure);
    expect(missing).toMatchObject({ type: 'IstioctlMissing', nonRetryable: true });
    expect((missing as Error).message).toContain('istioctl not found at /nonexistent/istioctl: install it (scripts/provision-kube.sh istioctl)');
    const overlay = { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'meshops' }, spec: { profile: 'no-such-profile' } } as const;
    const bad = await renderComponents(istioctl, overlay, ['Base'], 'local').catch((e: unknown) => e as ApplicationFailure);
    expect(bad).toMatchObject({ type: 'IstioctlRenderFailed', nonRetryable: true });
    expect((bad as Error).message).toMatch(/^istioctl could not render the local manifests \(Base\): .*no-such-profile/);
  });
});
