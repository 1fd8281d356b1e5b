import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { CoreV1Api, KubeConfig, type V1MutatingWebhookConfiguration, type V1Pod, type V1Secret, type V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { createMeshStepActivities } from '../../activities/mesh-steps';
import { applyObjects, deleteObjects } from '../../activities/kube/apply';
import { KubeClients, type ClusterClient } from '../../activities/kube/cluster-client';
import { EXEC_TIMEOUT, execInPod, type ExecInPod } from '../../activities/kube/exec';
import { waitForGone, waitForWorkloads } from '../../activities/kube/waits';
import { verifyExecTimeoutMs } from '../../activities/istio/steps/verify-split';
import { ISTIO_LABELS } from '../../activities/istio/istioctl';
import { generateRootCa, issuedBy } from '../../activities/istio/mesh-ca';
import { ensureCacerts } from '../../activities/istio/root-ca-store';
import { parseMeshNetworks } from '../../activities/istio/mesh-networks';
import { remoteKubeconfig, remoteSecret } from '../../activities/istio/remote-secret';
import { istioNamespace } from '../../activities/istio/mesh-objects';
import { localSamples, remoteSamples } from '../../activities/istio/samples';
import { applyNamespace, releaseNamespace } from '../../activities/kube/namespaces';
import { localControlPlane, localGateways, remoteGateway, remoteProfile } from '../../activities/istio/steps/install-manifests';
import { meshSpecFor, MeshSpec, type MeshSpecInput } from '../../common/mesh-spec';
import type { MeshFacts } from '../../common/status';
import type { StepOutcome } from '../../common/step-contract';
import { findBinary } from '../harness/kube';
import { istiodDebug, istiodLog } from '../harness/kube/istiod-debug';
import { testKubeconfigPath } from '../harness/kube/test-clusters';
import { until } from '../harness/kube/wait';
import { acquireClusterLock } from '../harness/cluster-lock';
import { recordedDataPlane } from '../harness/recorded-data-plane';
import { recordedExec } from '../harness/recorded-exec';
import { clusterSnapshot, resourceVersions, secretDigest } from './cluster-snapshot';

/**
 * Every step against the harness's two API servers, in the order the workflow runs them, with a
 * real istiod (pilot-discovery run by the harness for istiod's pod), admission webhooks that call
 * it, and a kubelet stand-in that refuses to start pods whose volumes or images are missing. At the
 * points where the seed's procedure broke on today's Istio the test first shows the clusters fail
 * the old way. Each step runs twice; the second run must change nothing.
 */
// istio-system exists once per cluster: every test file that installs Istio holds this lock for its run.
let releaseIstioLock: (() => void) | undefined;
beforeAll(async () => {
  releaseIstioLock = await acquireClusterLock('istio-system');
}, 16 * 60_000);
afterAll(() => releaseIstioLock?.());

type ClusterNetworkz = { Network: string; Cluster: string; Addr: string; Port: number }[];

const readyPods = async (client: ClusterClient, namespace: string, labelSelector?: string) =>
  (await client.core.listNamespacedPod({ namespace, labelSelector })).items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
const containerImages = (pod: V1Pod) => (pod.spec?.containers ?? []).map((c) => c.image);
const failureOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ApplicationFailure);
const decoded = (secret: V1Secret, key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
/** A key's public half as SPKI DER, base64: what a private key and its certificate share. */
const spki = (key: KeyObject) => (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' }).toString('base64');

/**
 * The Secrets (namespace/name/key) on the cluster holding a private key whose public half is
 * `publicKey` (SPKI, base64): every PEM private-key block in every value of every Secret, parsed.
 */
async function secretsHoldingKeyOf(client: ClusterClient, publicKey: string): Promise<string[]> {
  const found: string[] = [];
  for (const s of (await client.core.listSecretForAllNamespaces()).items) {
    for (const key of Object.keys(s.data ?? {})) {
      for (const pem of decoded(s, key).match(/-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]+-----END [A-Z ]*PRIVATE KEY-----/g) ?? []) {
        if (spki(createPrivateKey(pem)) === publicKey) found.push(`${s.metadata?.namespace}/${s.metadata?.name}/${key}`);
      }
    }
  }
  return found;
}

describe('mesh step activities on the test clusters, with a real istiod', () => {
  const kubeconfigPath = testKubeconfigPath();
  const istioctlPath = findBinary('istioctl');
  const specInput: MeshSpecInput = meshSpecFor('local', 'remote', { verify: { requests: 10, minShare: 0.1, maxFailures: 0 }, purge: true });
  const spec = MeshSpec.parse(specInput);
  // the test clusters' istioctl is a development build (1.31-dev): the worker accepts it only when told to
  const deps = { kubeconfigPath, istioctlPath, allowDevIstioctl: true };
  const steps = createMeshStepActivities({ ...deps, timeouts: { rolloutMs: 150_000 } });
  const clients = new KubeClients(kubeconfigPath);
  const local = clients.forContext('local');
  const remote = clients.forContext('remote');
  const facts: MeshFacts = {};
  const run = async (step: keyof typeof steps, more: object = {}): Promise<StepOutcome> => {
    const outcome = await (steps[step] as (i: object) => Promise<StepOutcome>)({ spec, facts: { ...facts }, ...more });
    Object.assign(facts, outcome.facts);
    return outcome;
  };
  let before: { local: string[]; remote: string[] };

  /**
   * What the real istiod lists on /debug/networkz once it has caught up: network1's east-west
   * gateway (found by its network label) and network2's only at `network2` (meshNetworks). Every
   * answer seen is kept: none may ever hold 0.0.0.0.
   */
  const networkzSeen: string[] = [];
  const expectNetworkz = async (network2: string | undefined) => {
    await until(`istiod's /debug/networkz to list network1's gateway and ${network2 ? `network2's at ${network2}:15443` : 'none of network2'}`, async () => {
      const gateways = await istiodDebug<ClusterNetworkz>('/debug/networkz');
      networkzSeen.push(JSON.stringify(gateways));
      const n1 = gateways.filter((g) => g.Network === 'network1');
      const n2 = gateways.filter((g) => g.Network === 'network2');
      const localGateway = facts.localGatewayAddress ?? '';
      const n1ok = n1.length === 1 && (localGateway ? n1[0].Addr === localGateway : /^192\.0\.2\.\d+$/.test(n1[0].Addr));
      const n2ok = network2 ? n2.length === 1 && n2[0].Addr === network2 && n2[0].Port === 15443 : n2.length === 0;
      return (n1ok && n2ok && gateways.length === n1.length + n2.length) || JSON.stringify(gateways);
    }, 60_000);
    expect(networkzSeen.filter((seen) => seen.includes('0.0.0.0'))).toEqual([]);
  };

  // Namespaces that are the user's before the run, with labels and annotations of their own: the
  // teardown must leave them as they were (compared, with everything else, by clusterSnapshot).
  const usersNamespaces: [ClusterClient, { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> } }][] = [
    [remote, { metadata: { name: 'istio-system', labels: { team: 'platform' }, annotations: { 'example.com/owner': 'platform team' } } }],
    [local, { metadata: { name: 'sample', labels: { team: 'demo', 'istio-injection': 'disabled' }, annotations: { 'example.com/owner': 'demo team' } } }],
  ];

  jest.setTimeout(600_000);

  beforeAll(async () => {
    for (const [client, ns] of usersNamespaces) await client.core.createNamespace({ body: ns });
    before = { local: await clusterSnapshot(local), remote: await clusterSnapshot(remote) };
  });
  afterAll(async () => {
    for (const [client, ns] of usersNamespaces) {
      await deleteObjects(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.metadata.name } }]);
      await waitForGone(client, { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces' }, [ns.metadata.name], 120_000);
    }
  });

  it("clusterSnapshot shows a Secret's values as digests: a changed value shows, the value itself does not", async () => {
    const probe = (token: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'snapshot-probe', namespace: 'sample' }, data: { token: Buffer.from(token).toString('base64') } });
    const line = async () => (await clusterSnapshot(local)).find((l) => l.startsWith('Secret sample/snapshot-probe '));
    let first: string | undefined;
    let second: string | undefined;
    try {
      await applyObjects(local, [probe('snapshot-token-one')]);
      first = await line();
      await applyObjects(local, [probe('snapshot-token-two')]);
      second = await line();
    } finally {
      await deleteObjects(local, [probe('')]);
    }
    expect(first).toContain(`"data":{"token":"${secretDigest(probe('snapshot-token-one').data.token)}"}`);
    expect(second).toContain(`"data":{"token":"${secretDigest(probe('snapshot-token-two').data.token)}"}`);
    for (const l of [first, second]) {
      expect(l).not.toContain(probe('snapshot-token-one').data.token);
      expect(l).not.toContain(probe('snapshot-token-two').data.token);
    }
  });

  it('preflight: reads both versions and istioctl, checks permissions; refuses an istiod meshops did not install, naming it', async () => {
    const outcome = await run('preflight');
    expect(outcome.summary).toMatch(/^istioctl 1\.31-dev renders Istio 1\.31\.0; local v1\.36\.3, remote v1\.36\.3; permissions ok; remote API server https:\/\/198\.18\.\d+\.3:6443 for istiod; no other Istio installed$/);
    // without the worker's MESHOPS_ALLOW_DEV_ISTIOCTL the same development build is refused, with the fix
    const strict = createMeshStepActivities({ kubeconfigPath, istioctlPath });
    const dev = await failureOf(strict.preflight({ spec, facts: {} }));
    expect(dev).toMatchObject({ type: 'IstioctlVersionMismatch', nonRetryable: true });
    expect(dev?.message).toContain(`istioctl 1.31-dev (${istioctlPath}) is a development build, not the Istio 1.31.0 release the spec asks for`);
    expect(dev?.message).toContain('Give the worker istioctl 1.31.0 (MESHOPS_ISTIOCTL); or, to render with a development build of 1.31 on purpose (as on test clusters), set MESHOPS_ALLOW_DEV_ISTIOCTL=true for the worker.');
    await expect(failureOf(strict.installLocal({ spec, facts: {} }))).resolves.toMatchObject({ type: 'IstioctlVersionMismatch' });

    const foreign = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: 'default', labels: { app: 'istiod', 'operator.istio.io/managed': 'Reconcile', 'operator.istio.io/version': '1.28.0' } }, spec: { replicas: 0, selector: { matchLabels: { app: 'istiod' } }, template: { metadata: { labels: { app: 'istiod' } }, spec: { containers: [{ name: 'discovery', image: 'registry.istio.io/release/pilot:1.28.0' }] } } } };
    await applyObjects(remote, [foreign]);
    try {
      const refused = await failureOf(run('preflight'));
      expect(refused).toMatchObject({ type: 'ForeignIstio', nonRetryable: true });
      expect(refused?.message).toContain('An Istio that meshops did not install runs here: remote: Deployment default/istiod (istioctl 1.28.0)');
      expect(refused?.message).toContain('istioctl uninstall --purge');
    } finally {
      await remote.apps.deleteNamespacedDeployment({ name: 'istiod', namespace: 'default' });
    }
  });

  it('preflight: refuses a loopback remote API server, which istiod would dial in its own pod', async () => {
    const loopback = MeshSpec.parse(meshSpecFor('local', 'remote', { remote: { context: 'remote', network: 'network2', apiServer: 'https://127.0.0.1:6443' } }));
    const refused = await failureOf(steps.preflight({ spec: loopback, facts: {} }));
    expect(refused).toMatchObject({ type: 'KubeInvalid', nonRetryable: true });
    expect(refused?.message).toMatch(/remote API server https:\/\/127\.0\.0\.1:6443 \(spec remote\.apiServer\) is a loopback address: local's istiod would dial its own pod\. Set .*remoteApiServer=/);
  });

  it('the seed-era order fails here: a gateway applied before istiod serves its webhook keeps `image: auto` and never pulls', async () => {
    await applyNamespace(local, istioNamespace(spec, 'local'));
    await applyObjects(local, (await localGateways(istioctlPath, spec, undefined)).filter((o) => o.kind !== 'Gateway' && o.kind !== 'VirtualService'));
    const stuck = await failureOf(waitForWorkloads(local, { namespace: 'istio-system', labelSelector: 'app=istio-eastwestgateway', timeoutMs: 120_000, label: 'east-west gateway' }));
    expect(stuck).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    // the first failed pull already fails the wait (ErrImagePull), quoting the kubelet's event; a
    // busy machine may first look after the kubelet moved on to ImagePullBackOff, which fails it as well
    expect(stuck?.message).toMatch(/container istio-proxy is in (ErrImagePull|ImagePullBackOff) \(.*"docker\.io\/library\/auto:latest".*\); event Failed: Failed to pull image "auto"/);
    expect(stuck?.message).toContain('image "auto" is a placeholder that Istio\'s injection webhook replaces');
    // what meshops applies is found again by its owner labels and removed
    await steps.cleanupStep({ spec, facts: {}, step: 'install-local' });
  });

  it('an install of the previous meshops (Istio objects without owner labels) passes preflight as its own and is removed by cleanup', async () => {
    const { Base, Pilot } = await localControlPlane(istioctlPath, spec, undefined);
    const unlabelled = [...Base, ...Pilot].map((o) => {
      const { [ISTIO_LABELS.owner]: _owner, [ISTIO_LABELS.managed]: _managed, ...labels } = o.metadata.labels ?? {};
      return { ...o, metadata: { ...o.metadata, labels } };
    });
    // what the previous release applied: a meshops-labelled istio-system and istioctl's raw render
    await applyObjects(local, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network1', 'app.kubernetes.io/managed-by': 'meshops' } } }, ...unlabelled]);
    await until('its istiod to be Ready', async () => (await readyPods(local, 'istio-system', 'app=istiod')).length === 1 || 'not yet', 120_000);
    await expect(run('preflight')).resolves.toMatchObject({ summary: expect.stringContaining('no other Istio installed') });
    await steps.cleanupStep({ spec, facts: {}, step: 'install-local' });
    expect(await clusterSnapshot(local)).toEqual(before.local);
  });

  it("cacerts: one meshops did not write is refused (install-local stops, the Secret untouched); meshops' own is replaced for another root while no istiod runs", async () => {
    await applyNamespace(local, istioNamespace(spec, 'local'));
    try {
      const foreign = await local.core.createNamespacedSecret({
        namespace: 'istio-system',
        body: { metadata: { name: 'cacerts' }, stringData: { 'ca-cert.pem': 'users-own', 'ca-key.pem': 'users-own', 'root-cert.pem': 'users-own', 'cert-chain.pem': 'users-own' } },
      });
      const refused = await failureOf(run('installLocal'));
      expect(refused).toMatchObject({ type: 'ForeignCacerts', nonRetryable: true });
      expect(refused?.message).toBe(
        'Secret istio-system/cacerts on local exists and was not created by meshops. Supply the root it chains to (MESHOPS_ROOT_CA_DIR) after deleting it, or delete it to let meshops issue a new one, then retry.',
      );
      const after = await local.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
      expect(after.metadata?.resourceVersion).toBe(foreign.metadata?.resourceVersion);
      expect((await local.core.listNamespacedPod({ namespace: 'istio-system' })).items).toEqual([]);
      await local.core.deleteNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });

      const [first, second] = [await generateRootCa('first-root'), await generateRootCa('second-root')];
      expect(await ensureCacerts(local, first, 'local', spec.meshId)).toBe('written');
      expect(await ensureCacerts(local, first, 'local', spec.meshId)).toBe('kept');
      // no istiod runs on it yet: replacing it breaks no workload certificate
      expect(await ensureCacerts(local, second, 'local', spec.meshId)).toBe('replaced');
      const replaced = await local.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
      expect(decoded(replaced, 'root-cert.pem')).toBe(second.certPem);
      expect(issuedBy(decoded(replaced, 'ca-cert.pem'), second)).toBe(true);
      expect(issuedBy(decoded(replaced, 'ca-cert.pem'), first)).toBe(false);
      expect(replaced.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'meshops' });
    } finally {
      await releaseNamespace(local, 'istio-system', 120_000);
    }
  });

  it('install-local: istiod first, Ready as a real process with its own identity; its webhooks patched by it; then the gateways, injected by it', async () => {
    const outcome = await run('installLocal');
    expect(outcome.summary).toMatch(/objects applied to local \(Istio 1\.31\.0 from registry\.istio\.io\/release, 16 Base, istiod Ready, then the gateways; cacerts written; meshNetworks network2 without a gateway until patch-gateway\)/);
    const ns = await local.core.readNamespace({ name: 'istio-system' });
    expect(ns.metadata?.labels).toMatchObject({ 'topology.istio.io/network': 'network1' });

    const [istiod] = await readyPods(local, 'istio-system', 'app=istiod');
    expect(containerImages(istiod)).toEqual(['registry.istio.io/release/pilot:1.31.0']);
    // the injection webhook's caBundle and the validator's Fail were set by istiod itself (its field manager)
    const injector = (await local.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-sidecar-injector' } })) as V1MutatingWebhookConfiguration;
    expect(injector.webhooks?.every((w) => (w.clientConfig.caBundle ?? '').length > 0)).toBe(true);
    expect(injector.metadata?.managedFields?.map((f) => f.manager)).toEqual(expect.arrayContaining(['meshops', expect.stringMatching(/^pilot-discovery/)]));
    await until('istiod to switch its validating webhook to Fail', async () => {
      const validator = (await local.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'istio-validator-istio-system' } })) as V1ValidatingWebhookConfiguration;
      return validator.webhooks?.[0].failurePolicy === 'Fail' || `failurePolicy ${validator.webhooks?.[0].failurePolicy}`;
    }, 60_000);

    // the gateways came after istiod: the east-west one was injected (its `image: auto` filled in by the webhook)
    const [gateway] = await readyPods(local, 'istio-system', 'app=istio-eastwestgateway');
    expect(containerImages(gateway)).toEqual(['registry.istio.io/release/proxyv2:1.31.0']);
    expect(gateway.metadata?.annotations?.['sidecar.istio.io/status']).toContain('"istiod-ca-cert"');

    // the plug-in CA: an intermediate in cacerts, and the root's private key in no Secret of the cluster
    const cacerts = await local.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    expect(Object.keys(cacerts.data ?? {}).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
    const [caCert, rootCert] = [decoded(cacerts, 'ca-cert.pem'), decoded(cacerts, 'root-cert.pem')];
    expect(caCert).not.toBe(rootCert);
    expect(new X509Certificate(caCert).verify(new X509Certificate(rootCert).publicKey)).toBe(true);
    expect(spki(createPrivateKey(decoded(cacerts, 'ca-key.pem')))).toBe(spki(new X509Certificate(caCert).publicKey));
    const rootPublicKey = spki(new X509Certificate(rootCert).publicKey);
    expect({ local: await secretsHoldingKeyOf(local, rootPublicKey), remote: await secretsHoldingKeyOf(remote, rootPublicKey) }).toEqual({ local: [], remote: [] });
    expect(await remote.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' }).catch((e: { code?: number }) => e.code)).toBe(404);

    const cm = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(parseMeshNetworks(cm.data?.meshNetworks).networks.network2).toEqual({ endpoints: [], gateways: [] });
    // what the real istiod sees: only network1's gateway, found by its network label; no 0.0.0.0
    await expectNetworkz(undefined);
  });

  it('install-local: a second run with istiod running changes nothing, not even what istiod set (caBundle, failurePolicy)', async () => {
    const { Base, Pilot } = await localControlPlane(istioctlPath, spec, undefined);
    const objects = [...Base, ...Pilot, ...(await localGateways(istioctlPath, spec, undefined))];
    const first = await resourceVersions(local, objects);
    expect(Object.values(first)).not.toContain('absent');
    await run('installLocal');
    expect(await resourceVersions(local, objects)).toEqual(first);
  });

  it("install-local: refuses to replace cacerts with another root while istiod runs on it", async () => {
    const otherRoot = await generateRootCa('other-mesh');
    const withOtherRoot = createMeshStepActivities({ ...deps, rootCa: otherRoot });
    const before = (await local.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' })).metadata?.resourceVersion;
    const refused = await failureOf(withOtherRoot.installLocal({ spec, facts }));
    expect(refused).toMatchObject({ type: 'CacertsRootChange', nonRetryable: true });
    expect(refused?.message).toMatch(/chains to another root than the one the worker was given, and istiod \(istiod-[a-z0-9-]+\) is running with it/);
    expect((await local.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' })).metadata?.resourceVersion).toBe(before);
  });

  it("wait-local: returns the east-west gateway's load-balancer address", async () => {
    const outcome = await run('waitLocal');
    expect(facts.localGatewayAddress).toMatch(/^192\.0\.2\.\d+$/);
    expect(outcome.summary).toMatch(new RegExp(`^3 Deployments, 3 pods Ready on local; gateway ${facts.localGatewayAddress}$`));
    await expectNetworkz(undefined);
  });

  it('wait-local: times out naming a pod that cannot become Ready, with its condition and event', async () => {
    const fast = createMeshStepActivities({ ...deps, timeouts: { rolloutMs: 8_000 } });
    const pod = 'pinned-to-missing-node';
    await local.core.createNamespacedPod({
      namespace: 'istio-system',
      body: { metadata: { name: pod }, spec: { nodeSelector: { 'kubernetes.io/hostname': 'no-such-node' }, containers: [{ name: 'c', image: 'docker.io/curlimages/curl:8.16.0' }] } },
    });
    try {
      const f = await failureOf(fast.waitLocal({ spec, facts }));
      expect(f).toMatchObject({ type: 'KubeWaitTimeout', nonRetryable: true });
      expect(f?.message).toContain('Timed out after 8s waiting for control-plane pods in istio-system on local');
      expect(f?.message).toContain(`Pod istio-system/${pod}: phase Pending; PodScheduled=False Unschedulable`);
      expect(f?.message).toContain('FailedScheduling');
    } finally {
      await local.core.deleteNamespacedPod({ name: pod, namespace: 'istio-system', gracePeriodSeconds: 0 });
    }
  });

  it('install-remote: the remote profile pointed at the local gateway, network2, the control plane cluster named; no cacerts; a second run changes nothing', async () => {
    await run('installRemote');
    const ns = await remote.core.readNamespace({ name: 'istio-system' });
    expect(ns.metadata?.labels).toMatchObject({ 'topology.istio.io/network': 'network2' });
    expect(ns.metadata?.annotations).toMatchObject({ 'topology.istio.io/controlPlaneClusters': 'local' });
    const slices = await remote.objects.list('discovery.k8s.io/v1', 'EndpointSlice', 'istio-system');
    const istiod = slices.items.find((s) => s.metadata?.name === 'istiod') as { endpoints?: { addresses: string[] }[] } | undefined;
    expect(istiod?.endpoints?.flatMap((e) => e.addresses)).toEqual([facts.localGatewayAddress]);

    expect(await remote.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' }).catch((e: { code?: number }) => e.code)).toBe(404);
    await expectNetworkz(undefined);

    const objects = await remoteProfile(istioctlPath, spec, facts.localGatewayAddress as string);
    const first = await resourceVersions(remote, objects);
    await run('installRemote');
    expect(await resourceVersions(remote, objects)).toEqual(first);
  });

  it('the seed-era order fails here: the remote gateway before the remote secret is refused by the remote webhook, which istiod has not patched', async () => {
    const stuck = await failureOf(run('waitRemote'));
    expect(stuck).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    expect(stuck?.message).toMatch(/Deployment istio-system\/istio-eastwestgateway: its pods cannot be created \(FailedCreate: .*failed calling webhook "[a-z.-]*sidecar-injector\.istio\.io".*\/inject\/cluster\/remote\/net\/network2.*x509: certificate signed by unknown authority/);
    expect(stuck?.message).toContain('on a remote cluster only once the remote secret is linked');
    await steps.cleanupStep({ spec, facts, step: 'wait-remote' });
  });

  it("the seed-era remote reader fails here: with the old hand-copied role istiod cannot patch the remote's webhook, and link-secret refuses it, naming what is missing", async () => {
    const readerRole = 'istio-reader-clusterrole-istio-system';
    const read = ['get', 'list', 'watch'];
    const seedRules = [
      { apiGroups: ['config.istio.io', 'security.istio.io', 'networking.istio.io', 'authentication.istio.io', 'rbac.istio.io', 'telemetry.istio.io', 'extensions.istio.io'], resources: ['*'], verbs: read },
      { apiGroups: [''], resources: ['endpoints', 'pods', 'services', 'nodes', 'replicationcontrollers', 'namespaces', 'secrets'], verbs: read },
      { apiGroups: [''], resources: ['configmaps'], verbs: [...read, 'create', 'update'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    ];
    await remote.rbac.replaceClusterRole({ name: readerRole, body: { metadata: { name: readerRole }, rules: seedRules } });
    const secretName = 'istio-remote-secret-remote';
    const logBefore = (await istiodLog()).length;
    try {
      // istiod given that identity (the secret written directly, as a hand-run create-remote-secret would)
      const token = await remote.core.createNamespacedServiceAccountToken({ name: 'istio-reader-service-account', namespace: 'istio-system', body: { spec: { audiences: [] } } });
      const ca = remote.kubeConfig.getCurrentCluster()!.caData!;
      await applyObjects(local, [remoteSecret('remote', remoteKubeconfig('remote', remote.server, ca, token.status!.token!))]);
      await until('istiod to try the remote webhook with that identity', async () => /mutatingwebhookconfigurations.* is forbidden/.test((await istiodLog()).slice(logBefore)) || 'not yet', 60_000);
      const injector = (await remote.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-sidecar-injector' } })) as V1MutatingWebhookConfiguration;
      expect(injector.webhooks?.some((w) => !w.clientConfig.caBundle)).toBe(true);

      const refused = await failureOf(run('linkSecret'));
      expect(refused).toMatchObject({ type: 'KubeForbidden', nonRetryable: true });
      expect(refused?.message).toContain("ServiceAccount istio-system/istio-reader-service-account on remote, the identity local's istiod uses there, may not ");
      expect(refused?.message).toContain('update mutatingwebhookconfigurations.admissionregistration.k8s.io');
      expect(refused?.message).toContain('Rerun install-remote');
    } finally {
      // as before the test: no remote secret, no root certificate istiod wrote meanwhile, the remote profile's role
      await local.core.deleteNamespacedSecret({ name: secretName, namespace: 'istio-system' }).catch(() => undefined);
      await until('istiod to let go of the remote', async () => {
        const clusters = await istiodDebug<{ id: string }[]>('/debug/clusterz');
        return !clusters.some((c) => c.id === 'remote') || JSON.stringify(clusters);
      }, 60_000);
      for (const ns of (await remote.core.listNamespace()).items) {
        await remote.core.deleteCollectionNamespacedConfigMap({ namespace: ns.metadata!.name!, labelSelector: 'istio.io/config=true' });
      }
      await run('installRemote');
    }
  });

  it("link-secret: the Secret as create-remote-secret makes it; istiod syncs the remote through it, patches its webhook and writes its root certificate", async () => {
    const outcome = await run('linkSecret');
    expect(facts.remoteSecretName).toBe('istio-remote-secret-remote');
    expect(facts.remoteSecretFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(outcome)).not.toMatch(/token:|eyJ/);
    expect(outcome.summary).toContain("istiod patched remote's injection webhook and wrote istio-ca-root-cert");

    const secret = await local.core.readNamespacedSecret({ name: 'istio-remote-secret-remote', namespace: 'istio-system' });
    expect(secret.metadata?.labels).toMatchObject({ 'istio/multiCluster': 'true' });
    expect(secret.metadata?.annotations).toMatchObject({ 'networking.istio.io/cluster': 'remote' });
    const kc = new KubeConfig();
    kc.loadFromString(Buffer.from(secret.data?.remote ?? '', 'base64').toString('utf8'));
    expect(kc.getCurrentCluster()).toMatchObject({ name: 'remote', server: remote.server });
    expect(kc.getCurrentUser()).toMatchObject({ name: 'remote', token: expect.stringMatching(/^eyJ/) });
    const asReader = kc.makeApiClient(CoreV1Api);
    expect((await asReader.listNamespacedService({ namespace: 'istio-system' })).items.map((s) => s.metadata?.name)).toContain('istiod');
    await expect(asReader.createNamespace({ body: { metadata: { name: 'not-allowed' } } })).rejects.toMatchObject({ code: 403 });

    const injector = (await remote.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-sidecar-injector' } })) as V1MutatingWebhookConfiguration;
    expect(injector.webhooks?.every((w) => (w.clientConfig.caBundle ?? '').length > 0)).toBe(true);
    expect(injector.metadata?.managedFields?.map((f) => f.manager)).toContainEqual(expect.stringMatching(/^pilot-discovery/));
    for (const namespace of ['istio-system', 'default', 'kube-system']) {
      const cm = await remote.core.readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace });
      expect(cm.data?.['root-cert.pem']).toMatch(/^-----BEGIN CERTIFICATE-----/);
    }
    await until('istiod to report the remote synced', async () => {
      const clusters = await istiodDebug<{ id: string; secretName: string; syncStatus: string }[]>('/debug/clusterz');
      return clusters.some((c) => c.id === 'remote' && c.syncStatus === 'synced' && c.secretName === 'istio-system/istio-remote-secret-remote') || JSON.stringify(clusters);
    }, 60_000);

    await expectNetworkz(undefined);

    const rv = secret.metadata?.resourceVersion;
    const again = await run('linkSecret');
    expect(again.facts?.remoteSecretFingerprint).toBe(facts.remoteSecretFingerprint);
    expect((await local.core.readNamespacedSecret({ name: 'istio-remote-secret-remote', namespace: 'istio-system' })).metadata?.resourceVersion).toBe(rv);
  });

  it('wait-remote: starts the remote east-west gateway, injected by local istiod through the remote webhook (the east-west stand-in carries 15017)', async () => {
    const outcome = await run('waitRemote');
    expect(outcome.summary).toMatch(/^east-west gateway applied \(\d+ objects\); 1 Deployments, 1 pods Ready on remote$/);
    const [gateway] = await readyPods(remote, 'istio-system', 'app=istio-eastwestgateway');
    expect(containerImages(gateway)).toEqual(['registry.istio.io/release/proxyv2:1.31.0']);
    expect(gateway.metadata?.labels).toMatchObject({ 'topology.istio.io/network': 'network2' });
    // its Service carries no network label: istiod knows network2's gateway only from meshNetworks, after patch-gateway
    await expectNetworkz(undefined);
    const first = await resourceVersions(remote, await remoteGateway(istioctlPath, spec));
    await run('waitRemote');
    expect(await resourceVersions(remote, await remoteGateway(istioctlPath, spec))).toEqual(first);
  });

  it("patch-gateway: writes the remote gateway's address into meshNetworks, which istiod then lists for network2; a second run writes nothing", async () => {
    const outcome = await run('patchGateway');
    expect(facts.remoteGatewayAddress).toMatch(/^198\.51\.100\.\d+$/);
    expect(outcome.summary).toBe(`meshNetworks network2 gateway none → ${facts.remoteGatewayAddress}:15443 on local`);
    const cm = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(parseMeshNetworks(cm.data?.meshNetworks).networks.network2.gateways).toEqual([{ address: facts.remoteGatewayAddress, port: 15443 }]);
    await expectNetworkz(facts.remoteGatewayAddress);

    expect((await run('patchGateway')).summary).toContain('already');
    const cm2 = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(cm2.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
    // install-local rerun after the patch keeps the real address (it renders from the live ConfigMap)
    await run('installLocal');
    expect((await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' })).metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
    await expectNetworkz(facts.remoteGatewayAddress);
  });

  it("deploy-samples: injected on both sides by istiod's webhooks (v2 through the remote's), istiod holds both as mTLS endpoints; a second run changes nothing", async () => {
    const outcome = await run('deploySamples');
    expect(outcome.summary).toBe("helloworld v1 and sleep on local (2 pods Ready), helloworld v2 on remote (1 pods Ready), all with istiod's sidecar; AUTO_PASSTHROUGH Gateway on 15443");
    for (const c of [local, remote]) {
      expect((await c.core.readNamespace({ name: 'sample' })).metadata?.labels).toMatchObject({ 'istio-injection': 'enabled' });
    }
    const [v2] = await readyPods(remote, 'sample', 'app=helloworld');
    expect(v2.spec?.containers?.map((c) => c.name)).toContain('istio-proxy');
    expect(v2.metadata?.labels).toMatchObject({ version: 'v2', 'security.istio.io/tlsMode': 'istio', 'topology.istio.io/network': 'network2' });
    const [v1] = await readyPods(local, 'sample', 'app=helloworld');
    expect(v1.metadata?.labels).toMatchObject({ version: 'v1', 'security.istio.io/tlsMode': 'istio' });

    type Shards = Record<string, Record<string, { Shards: Record<string, { Addresses: string[]; Network: string; TLSMode: string }[]> }>>;
    await until('istiod to hold helloworld on both clusters', async () => {
      const shards = (await istiodDebug<Shards>('/debug/endpointShardz'))['helloworld.sample.svc.cluster.local']?.sample?.Shards ?? {};
      const local1 = shards['Kubernetes/local']?.[0];
      const remote1 = shards['Kubernetes/remote']?.[0];
      return (local1?.TLSMode === 'istio' && remote1?.TLSMode === 'istio' && remote1.Network === 'network2') || JSON.stringify(shards);
    }, 60_000);

    await expectNetworkz(facts.remoteGatewayAddress);

    const samples = { local: localSamples('sample', 15443), remote: remoteSamples('sample') };
    const first = { local: await resourceVersions(local, samples.local), remote: await resourceVersions(remote, samples.remote) };
    await run('deploySamples');
    expect({ local: await resourceVersions(local, samples.local), remote: await resourceVersions(remote, samples.remote) }).toEqual(first);
  });

  it("the east-west stand-in passes 15017 only while expose-istiod routes it: without the Gateway, the remote webhook cannot reach istiod", async () => {
    const gateway = await local.objects.read({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'istiod-gateway', namespace: 'istio-system' } });
    await local.objects.delete(gateway);
    try {
      const pod = { metadata: { name: 'needs-injection', namespace: 'sample', labels: { app: 'probe' } }, spec: { containers: [{ name: 'c', image: 'docker.io/curlimages/curl:8.16.0' }] } };
      await until('the remote webhook to be refused', async () => {
        const err = await remote.core.createNamespacedPod({ namespace: 'sample', body: pod }).then(
          async () => (await remote.core.deleteNamespacedPod({ name: 'needs-injection', namespace: 'sample', gracePeriodSeconds: 0 }), 'created'),
          (e: { body?: string }) => String(e.body),
        );
        return /failed calling webhook.*(connection reset|EOF)/.test(err) || err;
      }, 60_000);
    } finally {
      await run('installLocal');
    }
  });

  it("verify-split: istiod tells sleep's sidecar the local pod on :5000 and the remote gateway on :15443 (weight 1); the recorded data plane agrees", async () => {
    const [v1] = await readyPods(local, 'sample', 'app=helloworld');
    const addresses = { localPod: `${v1.status?.podIP}:5000`, gateway: `${facts.remoteGatewayAddress}:15443` };
    const dataPlane = recordedDataPlane(addresses);
    const withDataPlane = createMeshStepActivities({ ...deps, execInPod: dataPlane.exec });
    const outcome = await withDataPlane.verifySplit({ spec, facts });

    const { controlPlane, dataPlane: traffic } = outcome.verify ?? {};
    expect(controlPlane).toMatchObject({ passed: true, diagnostics: [], warnings: [] });
    const byKind = Object.fromEntries((controlPlane?.endpoints ?? []).map((e) => [e.kind, e]));
    expect(controlPlane?.endpoints).toHaveLength(2);
    expect(byKind['local-pod']).toMatchObject({ endpoint: addresses.localPod, network: 'network1', weight: 1, what: `local pod ${v1.metadata?.name}` });
    expect(byKind['remote-gateway']).toMatchObject({ endpoint: addresses.gateway, network: 'network2', weight: 1, what: 'remote gateway (1 remote pod)' });
    expect(traffic).toMatchObject({ checked: true, passed: true, requests: 10, byVersion: { v1: 5, v2: 5 }, byEndpoint: { [addresses.localPod]: 5, [addresses.gateway]: 5 } });
    expect(outcome.verify?.passed).toBe(true);
    // the step's summary carries the table
    expect(outcome.summary).toMatch(new RegExp(`\\n${addresses.localPod.replaceAll('.', '\\.')} +\\S+ +network1 +1 +local pod `));
    // warm-up in sleep's container, its proxy's /clusters before the calls, the calls, then each call's path from its proxy (no pod logs here: /clusters)
    expect(dataPlane.requests.map((r) => [r.container, r.command.join(' ')])).toEqual([
      ['sleep', expect.stringMatching(/^sh -c a=; b=; .*helloworld\.sample:5000\/hello/)],
      ['istio-proxy', 'pilot-agent request GET clusters'],
      ['sleep', expect.stringMatching(/^sh -c for i in \$\(seq 1 10\); .*-H "x-request-id: meshops-[0-9a-f]+-\$i" helloworld\.sample:5000\/hello/)],
      ['istio-proxy', 'pilot-agent request GET clusters'],
    ]);
  });

  it('verify-split (control-plane verdict only, as on clusters without a data plane): execs nothing and says traffic was not checked', async () => {
    const controlOnly = MeshSpec.parse({ ...specInput, verify: { ...specInput.verify, verdicts: ['control-plane'] } });
    const untouched = recordedExec('', 'no exec expected', 1);
    const outcome = await createMeshStepActivities({ ...deps, execInPod: untouched.exec }).verifySplit({ spec: controlOnly, facts });
    expect(untouched.requests).toEqual([]);
    expect(outcome.verify).toMatchObject({ passed: true, controlPlane: { passed: true }, dataPlane: { checked: false, passed: false } });
    expect(outcome.summary).toContain('Data plane: Traffic through the mesh was not checked: the spec asks only for control-plane');
  });

  it('verify-split: a v2 reached at a remote pod IP directly fails the data-plane verdict, though istiod sends the split', async () => {
    const [v1] = await readyPods(local, 'sample', 'app=helloworld');
    const dataPlane = recordedDataPlane({ localPod: `${v1.status?.podIP}:5000`, gateway: `${facts.remoteGatewayAddress}:15443` }, 'remote-pod');
    const outcome = await createMeshStepActivities({ ...deps, execInPod: dataPlane.exec }).verifySplit({ spec, facts });
    expect(outcome.verify).toMatchObject({ passed: false, controlPlane: { passed: true }, dataPlane: { checked: true, passed: false } });
    expect(outcome.verify?.dataPlane?.reason).toContain('5 call(s) went to 10.245.0.2:5000, neither a local pod nor the remote gateway');
  });

  it('verify-split: a call loop that cannot run (no curl in the image) is an error naming the pod, not a verdict', async () => {
    const broken = recordedExec('', 'sh: curl: not found', 127);
    const withBrokenSleep = createMeshStepActivities({ ...deps, execInPod: broken.exec });
    const failure = await failureOf(withBrokenSleep.verifySplit({ spec, facts }));
    expect(failure?.type).toBe('VerifyLoopFailed');
    expect(failure?.message).toMatch(/container sleep of pod sample\/sleep-[a-z0-9-]+ exited 127 before any call: sh: curl: not found/);
  });

  it('verify-split: the exec budget grows with requests (6 s a call + 10 s, at most 4.5 min); running past it is a non-retryable failure naming the pod', async () => {
    expect(verifyExecTimeoutMs(10, 120_000)).toBe(120_000);
    expect(verifyExecTimeoutMs(25, 120_000)).toBe(160_000);
    expect(verifyExecTimeoutMs(1000, 120_000)).toBe(270_000);
    const budgets: number[] = [];
    const slow: ExecInPod = async (_client, req) => {
      if (!req.command.join(' ').includes('x-request-id')) return { stdout: 'meshops: both versions answered after 2 calls\n', stderr: '', exitCode: 0 };
      budgets.push(req.timeoutMs);
      throw ApplicationFailure.nonRetryable('The command did not finish within 160s.', EXEC_TIMEOUT, {
        stdout: '--- meshops call 1\nHello version: v1\n--- meshops call 2\ncurl: (28) timed out\n--- meshops call 3\n',
      });
    };
    const withSlowLeg = createMeshStepActivities({ ...deps, execInPod: slow });
    const spec25 = MeshSpec.parse(meshSpecFor('local', 'remote', { verify: { requests: 25, minShare: 0.1, maxFailures: 0 } }));
    const failure = await failureOf(withSlowLeg.verifySplit({ spec: spec25, facts }));
    expect(budgets).toEqual([160_000]);
    expect(failure?.type).toBe('VerifyTimeout');
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toMatch(/container sleep of pod sample\/sleep-[a-z0-9-]+ on local did not finish within 160s \(3 of 25 calls started\)/);
  });

  it('verify-split: the real exec reaches the API server and fails, naming the pod, because no kubelet serves exec here', async () => {
    const { items } = await local.core.listNamespacedPod({ namespace: 'sample', labelSelector: 'app=sleep' });
    const pod = items[0].metadata?.name as string;
    const failure = await failureOf(execInPod(local, { namespace: 'sample', pod, container: 'sleep', command: ['true'], timeoutMs: 20_000 }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure?.message).toContain(`exec into container sleep of pod sample/${pod} on local`);
  });

  it("after the whole run: the remote holds no cacerts, local's holds an intermediate, and no Secret on either cluster holds the root's private key", async () => {
    expect(await remote.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' }).catch((e: { code?: number }) => e.code)).toBe(404);
    const cacerts = await local.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    const [caCert, rootCert] = [decoded(cacerts, 'ca-cert.pem'), decoded(cacerts, 'root-cert.pem')];
    expect(caCert).not.toBe(rootCert);
    expect(new X509Certificate(caCert).ca).toBe(true);
    expect(new X509Certificate(caCert).verify(new X509Certificate(rootCert).publicKey)).toBe(true);
    // the root istiod hands to every workload is that one, and its private key is nowhere
    expect((await remote.core.readNamespacedConfigMap({ name: 'istio-ca-root-cert', namespace: 'sample' })).data?.['root-cert.pem']?.trim()).toBe(rootCert.trim());
    const rootPublicKey = spki(new X509Certificate(rootCert).publicKey);
    expect({ local: await secretsHoldingKeyOf(local, rootPublicKey), remote: await secretsHoldingKeyOf(remote, rootPublicKey) }).toEqual({ local: [], remote: [] });
    // the search does find a private key where one is: the intermediate's, in cacerts
    expect(await secretsHoldingKeyOf(local, spki(new X509Certificate(caCert).publicKey))).toEqual(['istio-system/cacerts/ca-key.pem']);
  });

  it("undoing wait-remote alone takes the remote gateway's address out of meshNetworks too (istiod lists no network2 gateway); setup then brings it back", async () => {
    const address = facts.remoteGatewayAddress;
    const outcome = await steps.cleanupStep({ spec, facts, step: 'wait-remote' });
    expect(outcome.summary).toBe(`wait-remote: east-west gateway removed from remote (${outcome.summary.match(/\((\d+) objects\)/)?.[1]} objects); meshNetworks network2 gateway ${address}:15443 removed`);
    expect((await remote.core.listNamespacedService({ namespace: 'istio-system', labelSelector: 'app=istio-eastwestgateway' })).items).toEqual([]);
    const cm = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(parseMeshNetworks(cm.data?.meshNetworks).networks.network2).toEqual({ endpoints: [], gateways: [] });
    await expectNetworkz(undefined);
    // the same as patch-gateway's own undo: a second undo finds nothing
    expect((await steps.cleanupStep({ spec, facts, step: 'patch-gateway' })).summary).toBe('patch-gateway: no network2 gateway address in meshNetworks, nothing to undo');

    await run('waitRemote');
    await run('patchGateway');
    await expectNetworkz(facts.remoteGatewayAddress);
  });

  it("cleanup without purge keeps Istio's CRDs, and with them the Istio resources users made", async () => {
    const usersRoute = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'users-own', namespace: 'default' }, spec: { hosts: ['example.local'], http: [{ route: [{ destination: { host: 'example.local' } }] }] } };
    await applyObjects(remote, [usersRoute]);
    const outcome = await steps.cleanupStep({ spec: { ...spec, purge: false }, facts, step: 'install-remote' });
    // the remote's istio-system was the user's before the run: released, not deleted; the remote gateway went with the rest, and its address with it
    expect(outcome.summary).toBe(
      `install-remote: Istio removed from remote (${outcome.summary.match(/\((\d+) objects/)?.[1]} objects, istio-system released, CRDs kept); meshNetworks network2 gateway ${facts.remoteGatewayAddress}:15443 removed`,
    );
    await expectNetworkz(undefined);
    await expect(remote.apiext.readCustomResourceDefinition({ name: 'virtualservices.networking.istio.io' })).resolves.toBeDefined();
    await expect(remote.objects.read(usersRoute)).resolves.toMatchObject({ metadata: { name: 'users-own' } });
  });

  it('cleanup (purge): undoes every step in reverse and leaves every object of both clusters as before the run, ConfigMaps included', async () => {
    const outcome = await steps.cleanupStep({ spec, facts, step: 'cleanup' });
    expect(outcome.summary).toMatch(/^verify-split: .*; deploy-samples: samples removed .*; patch-gateway: no network2 gateway address in meshNetworks, nothing to undo; wait-remote: .*; link-secret: .*; install-remote: Istio removed from remote .*CRDs purged\); install-local: Istio removed from local \(\d+ objects, \d+ istiod ConfigMaps on both clusters, istio-system deleted, CRDs purged\)$/);
    expect({ local: await clusterSnapshot(local), remote: await clusterSnapshot(remote) }).toEqual(before);
    // the user's namespaces are still there, with their own labels and annotations only (istio-injection=disabled back)
    for (const [client, ns] of usersNamespaces) {
      const live = await client.core.readNamespace({ name: ns.metadata.name });
      expect({ labels: live.metadata?.labels, annotations: live.metadata?.annotations }).toEqual({ labels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name }, annotations: ns.metadata.annotations });
    }
    const again = await steps.cleanupStep({ spec, facts, step: 'cleanup' });
    expect(again.summary).toContain('install-local: Istio removed from local (0 objects, 0 istiod ConfigMaps on both clusters, istio-system absent');
  });

});
