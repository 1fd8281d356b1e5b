import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { createMeshStepActivities } from '../../activities/mesh-steps';
import { KubeClients } from '../../activities/kube/cluster-client';
import { EXEC_TIMEOUT, execInPod, type ExecInPod } from '../../activities/kube/exec';
import { verifyExecTimeoutMs } from '../../activities/istio/steps/verify-split';
import { meshRootCa, ROOT_CA_SECRET } from '../../activities/istio/root-ca-store';
import { parseMeshNetworks } from '../../activities/istio/mesh-networks';
import { remoteReaderObjects } from '../../activities/istio/remote-secret';
import { localSamples, remoteSamples } from '../../activities/istio/samples';
import { localInstallManifests, remoteInstallManifests } from '../../activities/istio/steps/install-manifests';
import { meshSpecFor, MeshSpec } from '../../common/mesh-spec';
import type { MeshFacts } from '../../common/status';
import type { StepOutcome } from '../../common/step-contract';
import { findBinary } from '../harness/kube';
import { testKubeconfigPath } from '../harness/kube/test-clusters';
import { acquireClusterLock } from '../harness/cluster-lock';
import { recordedExec } from '../harness/recorded-exec';
import { clusterScopedNames, resourceVersions } from './cluster-snapshot';
import { Client, Connection } from '@temporalio/client';
import { MeshClient } from '../../client/mesh-client';
import { SETUP_STEPS } from '../../common/steps';
import type { MeshStatus } from '../../common/status';
import { ONCALL, REQUESTER, stepState } from '../harness/mesh-test-kit';
import { startMeshTestWorker } from '../harness/mesh-test-worker';
import { RecordingNotifier } from '../harness/recording-notifier';
import { CLUSTER_TEST_NAMESPACE, testTemporalAddress } from '../harness/temporal-server';

/**
 * Every step against the harness's two real API servers (kwok nodes: pods become Ready, no
 * containers run), in the order the workflow runs them. One file, because the steps share the
 * clusters' istio-system; each step is run twice and the second run must change nothing.
 */
// istio-system exists once per cluster: every test file that installs Istio holds this lock for its run.
let releaseIstioLock: (() => void) | undefined;
beforeAll(async () => {
  releaseIstioLock = await acquireClusterLock('istio-system');
}, 16 * 60_000);
afterAll(() => releaseIstioLock?.());

describe('mesh step activities on the test clusters', () => {
  const kubeconfigPath = testKubeconfigPath();
  const istioctlPath = findBinary('istioctl');
  const spec = MeshSpec.parse(meshSpecFor('local', 'remote', { verify: { requests: 10, minShare: 0.1, maxFailures: 0 } }));
  const recorded = recordedExec(readFileSync(join(__dirname, 'fixtures', 'split-calls.txt'), 'utf8'));
  const steps = createMeshStepActivities({ kubeconfigPath, istioctlPath, execInPod: recorded.exec, timeouts: { rolloutMs: 120_000 } });
  const clients = new KubeClients(kubeconfigPath);
  const local = clients.forContext('local');
  const remote = clients.forContext('remote');
  const facts: MeshFacts = {};
  const run = async (step: keyof typeof steps, more: object = {}): Promise<StepOutcome> => {
    const outcome = await (steps[step] as (i: object) => Promise<StepOutcome>)({ spec, facts: { ...facts }, ...more });
    Object.assign(facts, outcome.facts);
    return outcome;
  };
  let before: { local: Record<string, string[]>; remote: Record<string, string[]> };

  jest.setTimeout(600_000);

  beforeAll(async () => {
    before = { local: await clusterScopedNames(local), remote: await clusterScopedNames(remote) };
  });

  it('preflight: reads both versions, checks permissions and the remote API server', async () => {
    const outcome = await run('preflight');
    expect(outcome.summary).toMatch(/^local v1\.\d+\.\d+, remote v1\.\d+\.\d+; permissions ok; remote API server https:\/\/127\.0\.0\.1:\d+ reachable$/);
  });

  it('install-local: namespace label, cacerts, CRDs, control plane, placeholder meshNetworks; a second run changes nothing', async () => {
    await run('installLocal');
    const ns = await local.core.readNamespace({ name: 'istio-system' });
    expect(ns.metadata?.labels).toMatchObject({ 'topology.istio.io/network': 'network1' });
    const cacerts = await local.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' });
    expect(Object.keys(cacerts.data ?? {}).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
    const cm = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(parseMeshNetworks(cm.data?.meshNetworks)).toEqual({
      networks: { network2: { endpoints: [{ fromRegistry: 'remote' }], gateways: [{ address: '0.0.0.0', port: 15443 }] } },
    });
    expect(cm.data?.mesh).toContain('meshId: mesh1');
    const crds = await local.apiext.listCustomResourceDefinition();
    const gatewayCrd = crds.items.find((c) => c.metadata?.name === 'gateways.networking.istio.io');
    expect(gatewayCrd?.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
    const gw = await local.core.readNamespacedService({ name: 'istio-eastwestgateway', namespace: 'istio-system' });
    expect(gw.spec?.ports?.map((p) => p.port)).toEqual(expect.arrayContaining([15443, 15012, 15017]));

    await run('waitLocal');
    const manifests = await localInstallManifests(istioctlPath, spec, '0.0.0.0');
    const first = await resourceVersions(local, manifests);
    await run('installLocal');
    expect(await resourceVersions(local, manifests)).toEqual(first);
    expect(Object.values(first)).not.toContain('absent');
  });

  it('install-local: two overlapping first attempts store one root CA and both use it (create, not a forced apply)', async () => {
    const saved = await local.core.readNamespacedSecret({ name: ROOT_CA_SECRET, namespace: 'istio-system' });
    await local.core.deleteNamespacedSecret({ name: ROOT_CA_SECRET, namespace: 'istio-system' });
    try {
      const [a, b] = await Promise.all([meshRootCa(local, 'race', undefined, true), meshRootCa(local, 'race', undefined, true)]);
      expect(a.certPem).toBe(b.certPem);
      const stored = await local.core.readNamespacedSecret({ name: ROOT_CA_SECRET, namespace: 'istio-system' });
      expect(Buffer.from(stored.data?.['root-cert.pem'] ?? '', 'base64').toString('utf8')).toBe(a.certPem);
    } finally {
      // Put the root install-local stored back: the later steps issue from it.
      await local.core.deleteNamespacedSecret({ name: ROOT_CA_SECRET, namespace: 'istio-system' }).catch(() => undefined);
      await local.core.createNamespacedSecret({
        namespace: 'istio-system',
        body: { metadata: { name: ROOT_CA_SECRET, namespace: 'istio-system', labels: saved.metadata?.labels }, type: saved.type, data: saved.data },
      });
    }
  });

  it('wait-local: returns the east-west gateway\'s load-balancer address', async () => {
    const outcome = await run('waitLocal');
    expect(facts.localGatewayAddress).toMatch(/^192\.0\.2\.\d+$/);
    expect(outcome.summary).toContain(`gateway ${facts.localGatewayAddress}`);
  });

  it('wait-local: times out naming a pod that cannot become Ready, with its condition and event', async () => {
    const fast = createMeshStepActivities({ kubeconfigPath, istioctlPath, timeouts: { rolloutMs: 8_000 } });
    const pod = 'pinned-to-missing-node';
    await local.core.createNamespacedPod({
      namespace: 'istio-system',
      body: {
        metadata: { name: pod },
        spec: { nodeSelector: { 'kubernetes.io/hostname': 'no-such-node' }, containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    try {
      const failure = await fast.waitLocal({ spec, facts }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ApplicationFailure);
      const f = failure as ApplicationFailure;
      expect(f.type).toBe('KubeWaitTimeout');
      expect(f.nonRetryable).toBe(true);
      expect(f.message).toContain('Timed out after 8s waiting for control-plane pods in istio-system on local');
      expect(f.message).toContain(`Pod istio-system/${pod}: phase Pending; PodScheduled=False Unschedulable`);
      expect(f.message).toMatch(/didn't match Pod's node affinity\/selector/);
      expect(f.message).toContain('FailedScheduling');
    } finally {
      await local.core.deleteNamespacedPod({ name: pod, namespace: 'istio-system', gracePeriodSeconds: 0 });
    }
  });

  it('install-remote: remote profile pointed at the local gateway, network2, controlPlaneClusters; a second run changes nothing', async () => {
    await run('installRemote');
    const ns = await remote.core.readNamespace({ name: 'istio-system' });
    expect(ns.metadata?.labels).toMatchObject({ 'topology.istio.io/network': 'network2' });
    expect(ns.metadata?.annotations).toMatchObject({ 'topology.istio.io/controlPlaneClusters': 'local' });
    const [localCacerts, remoteCacerts] = await Promise.all(
      [local, remote].map((c) => c.core.readNamespacedSecret({ name: 'cacerts', namespace: 'istio-system' })),
    );
    expect(remoteCacerts.data?.['root-cert.pem']).toBe(localCacerts.data?.['root-cert.pem']);
    expect(remoteCacerts.data?.['ca-cert.pem']).not.toBe(localCacerts.data?.['ca-cert.pem']);
    // the remote's istiod Service is selector-less, its EndpointSlice points at local's gateway (remotePilotAddress)
    const slices = await remote.objects.list('discovery.k8s.io/v1', 'EndpointSlice', 'istio-system');
    const istiod = slices.items.find((s) => s.metadata?.name === 'istiod') as { endpoints?: { addresses: string[] }[] } | undefined;
    expect(istiod?.endpoints?.flatMap((e) => e.addresses)).toEqual([facts.localGatewayAddress]);

    await run('waitRemote');
    const manifests = await remoteInstallManifests(istioctlPath, spec, facts.localGatewayAddress as string);
    const first = await resourceVersions(remote, manifests);
    await run('installRemote');
    expect(await resourceVersions(remote, manifests)).toEqual(first);
  });

  it('patch-gateway: writes the remote gateway\'s real load-balancer address into meshNetworks; a second run writes nothing', async () => {
    const outcome = await run('patchGateway');
    expect(facts.remoteGatewayAddress).toMatch(/^198\.51\.100\.\d+$/);
    const svc = await remote.core.readNamespacedService({ name: 'istio-eastwestgateway', namespace: 'istio-system' });
    expect(svc.status?.loadBalancer?.ingress?.[0]?.ip).toBe(facts.remoteGatewayAddress);
    const cm = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(parseMeshNetworks(cm.data?.meshNetworks).networks.network2.gateways).toEqual([{ address: facts.remoteGatewayAddress, port: 15443 }]);
    expect(outcome.summary).toContain(`0.0.0.0 → ${facts.remoteGatewayAddress}:15443`);

    const again = await run('patchGateway');
    expect(again.summary).toContain('already');
    const cm2 = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(cm2.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);

    // install-local rerun after the patch keeps the real address (it renders from the live ConfigMap)
    await run('installLocal');
    const cm3 = await local.core.readNamespacedConfigMap({ name: 'istio', namespace: 'istio-system' });
    expect(cm3.metadata?.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });

  it('link-secret: labelled Secret whose kubeconfig authenticates to remote, lists Services and is refused writes', async () => {
    const outcome = await run('linkSecret');
    expect(facts.remoteSecretName).toBe('istio-remote-secret-remote');
    expect(facts.remoteSecretFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(outcome)).not.toMatch(/token:|eyJ/);

    const secret = await local.core.readNamespacedSecret({ name: 'istio-remote-secret-remote', namespace: 'istio-system' });
    expect(secret.metadata?.labels).toMatchObject({ 'istio/multiCluster': 'true' });
    expect(secret.metadata?.annotations).toMatchObject({ 'networking.istio.io/cluster': 'remote' });
    const kubeconfig = Buffer.from(secret.data?.remote ?? '', 'base64').toString('utf8');
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig);
    expect(kc.getCurrentCluster()?.server).toBe(remote.server);
    expect(kc.getCurrentUser()?.token).toMatch(/^eyJ/);
    const asReader = kc.makeApiClient(CoreV1Api);
    const services = await asReader.listNamespacedService({ namespace: 'istio-system' });
    expect(services.items.map((s) => s.metadata?.name)).toContain('istio-eastwestgateway');
    await expect(asReader.createNamespace({ body: { metadata: { name: 'not-allowed' } } })).rejects.toMatchObject({ code: 403 });

    const rvs = await resourceVersions(remote, remoteReaderObjects());
    const secretRv = secret.metadata?.resourceVersion;
    const again = await run('linkSecret');
    expect(again.facts?.remoteSecretFingerprint).toBe(facts.remoteSecretFingerprint);
    expect(await resourceVersions(remote, remoteReaderObjects())).toEqual(rvs);
    const secret2 = await local.core.readNamespacedSecret({ name: 'istio-remote-secret-remote', namespace: 'istio-system' });
    expect(secret2.metadata?.resourceVersion).toBe(secretRv);
  });

  it('deploy-samples: sample namespaces with injection, helloworld v1 + sleep local, v2 remote, Gateway; a second run changes nothing', async () => {
    await run('deploySamples');
    for (const c of [local, remote]) {
      const ns = await c.core.readNamespace({ name: 'sample' });
      expect(ns.metadata?.labels).toMatchObject({ 'istio-injection': 'enabled' });
    }
    const localPods = await local.core.listNamespacedPod({ namespace: 'sample' });
    expect(localPods.items.map((p) => p.metadata?.labels?.app).sort()).toEqual(['helloworld', 'sleep']);
    expect(localPods.items.find((p) => p.metadata?.labels?.app === 'helloworld')?.metadata?.labels?.version).toBe('v1');
    const remotePods = await remote.core.listNamespacedPod({ namespace: 'sample' });
    expect(remotePods.items.map((p) => p.metadata?.labels?.version)).toEqual(['v2']);
    const gw = await local.objects.read({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'helloworld-gateway', namespace: 'sample' } });
    expect(JSON.stringify(gw)).toContain('AUTO_PASSTHROUGH');

    const objects = [...localSamples('sample', 15443)];
    const first = { local: await resourceVersions(local, objects), remote: await resourceVersions(remote, remoteSamples('sample')) };
    await run('deploySamples');
    expect({ local: await resourceVersions(local, objects), remote: await resourceVersions(remote, remoteSamples('sample')) }).toEqual(first);
  });

  it('verify-split: execs the call loop in sleep (recorded real output stands in for the data plane) and passes', async () => {
    const outcome = await run('verifySplit');
    expect(recorded.requests).toHaveLength(1);
    const [req] = recorded.requests;
    expect(req).toMatchObject({ namespace: 'sample', container: 'sleep' });
    expect(req.pod).toMatch(/^sleep-/);
    expect(req.command.join(' ')).toContain('seq 1 10');
    expect(req.command.join(' ')).toContain('helloworld.sample:5000/hello');
    expect(outcome.verify).toMatchObject({ passed: true, requests: 10, failures: 0, byVersion: { v1: 5, v2: 5 } });
  });

  it('verify-split: a call loop that cannot run (no curl in the image) is an error naming the pod, not a verdict', async () => {
    const broken = recordedExec('', 'sh: curl: not found', 127);
    const withBrokenSleep = createMeshStepActivities({ kubeconfigPath, istioctlPath, execInPod: broken.exec });
    const failure = await withBrokenSleep.verifySplit({ spec, facts }).then(
      () => undefined,
      (e: unknown) => e as ApplicationFailure,
    );
    expect(failure?.type).toBe('VerifyLoopFailed');
    expect(failure?.message).toMatch(/container sleep of pod sample\/sleep-[a-z0-9-]+ exited 127 before any call: sh: curl: not found/);
  });

  it('verify-split: the exec budget grows with requests (6 s a call + 10 s, at most 4.5 min); running past it is a non-retryable failure naming the pod', async () => {
    expect(verifyExecTimeoutMs(10, 120_000)).toBe(120_000);
    expect(verifyExecTimeoutMs(25, 120_000)).toBe(160_000);
    expect(verifyExecTimeoutMs(1000, 120_000)).toBe(270_000);
    const budgets: number[] = [];
    const slow: ExecInPod = async (_client, req) => {
      budgets.push(req.timeoutMs);
      throw ApplicationFailure.nonRetryable('The command did not finish within 160s.', EXEC_TIMEOUT, {
        stdout: '--- meshops call 1\nHello version: v1\n--- meshops call 2\ncurl: (28) timed out\n--- meshops call 3\n',
      });
    };
    const withSlowLeg = createMeshStepActivities({ kubeconfigPath, istioctlPath, execInPod: slow });
    const spec25 = MeshSpec.parse(meshSpecFor('local', 'remote', { verify: { requests: 25, minShare: 0.1, maxFailures: 0 } }));
    const failure = await withSlowLeg.verifySplit({ spec: spec25, facts }).then(
      () => undefined,
      (e: unknown) => e as ApplicationFailure,
    );
    expect(budgets).toEqual([160_000]);
    expect(failure?.type).toBe('VerifyTimeout');
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toMatch(/container sleep of pod sample\/sleep-[a-z0-9-]+ on local did not finish within 160s \(3 of 25 calls started\)/);
    expect(failure?.message).toContain('`requests`');
    expect(failure?.message).toContain('data plane');
  });

  it('verify-split: the real exec reaches the API server and fails, naming the pod, because kwok runs no kubelet', async () => {
    const { items } = await local.core.listNamespacedPod({ namespace: 'sample', labelSelector: 'app=sleep' });
    const pod = items[0].metadata?.name as string;
    const failure = await execInPod(local, { namespace: 'sample', pod, container: 'sleep', command: ['true'], timeoutMs: 20_000 }).then(
      () => undefined,
      (e: unknown) => e as ApplicationFailure,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure?.message).toContain(`exec into container sleep of pod sample/${pod} on local`);
  });

  it('cleanup: undoes every step in reverse and leaves both clusters as they were before install-local', async () => {
    const outcome = await steps.cleanupStep({ spec, facts, step: 'cleanup' });
    expect(outcome.summary).toMatch(/^verify-split: .*; deploy-samples: .*install-local: Istio removed from local/);
    const after = { local: await clusterScopedNames(local), remote: await clusterScopedNames(remote) };
    for (const side of ['local', 'remote'] as const) {
      for (const kind of Object.keys(before[side])) {
        if (kind === 'Namespace') continue; // other test files create namespaces of their own meanwhile
        expect({ kind, side, names: after[side][kind] }).toEqual({ kind, side, names: before[side][kind] });
      }
      expect(after[side].Namespace).not.toContain('istio-system');
      expect(after[side].Namespace).not.toContain('sample');
      expect(before[side].Namespace.filter((n) => !after[side].Namespace.includes(n))).toEqual([]);
    }
    // and cleanup is idempotent
    const again = await steps.cleanupStep({ spec, facts, step: 'cleanup' });
    expect(again.summary).toContain('install-local: Istio removed from local (0 objects)');
  });
});

describe('the real meshSetup workflow with these activities, on a real worker and the test clusters', () => {
  const kubeconfigPath = testKubeconfigPath();
  const istioctlPath = findBinary('istioctl');
  const specInput = meshSpecFor('local', 'remote', { verify: { requests: 10, minShare: 0.1, maxFailures: 0 } });
  const recorded = recordedExec(readFileSync(join(__dirname, 'fixtures', 'split-calls.txt'), 'utf8'));
  const taskQueue = `mesh-activities-${Date.now()}`;

  jest.setTimeout(600_000);

  it('runs every step done through verify-split, then teardown leaves both clusters as before', async () => {
    const clients = new KubeClients(kubeconfigPath);
    const [local, remote] = [clients.forContext('local'), clients.forContext('remote')];
    const before = { local: await clusterScopedNames(local), remote: await clusterScopedNames(remote) };
    const activities = {
      ...createMeshStepActivities({ kubeconfigPath, istioctlPath, execInPod: recorded.exec, timeouts: { rolloutMs: 120_000 } }),
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
      await statusWhen(workflowId, gateOpen('link-secret'), 'gate before link-secret');
      await mesh.approve(workflowId, { step: 'link-secret', decision: 'approve', approver: ONCALL });
      const final = (await client.workflow.getHandle(workflowId).result()) as MeshStatus;

      expect(final.steps.map((s) => [s.id, s.state.state])).toEqual(SETUP_STEPS.map((id) => [id, 'done']));
      expect(final.phase).toBe('done');
      expect(final.facts.localGatewayAddress).toMatch(/^192\.0\.2\.\d+$/);
      expect(final.facts.remoteGatewayAddress).toMatch(/^198\.51\.100\.\d+$/);
      expect(final.facts.remoteSecretFingerprint).toMatch(/^sha256:/);
      expect(final.verify).toMatchObject({ passed: true, byVersion: { v1: 5, v2: 5 } });
      const history = JSON.stringify((await client.workflow.getHandle(workflowId).fetchHistory()).events);
      expect(history).not.toMatch(/eyJhbGci|BEGIN (RSA |)PRIVATE KEY|certificate-authority-data/);

      const teardown = await mesh.teardown(specInput, REQUESTER);
      const torn = (await client.workflow.getHandle(teardown.workflowId).result()) as MeshStatus;
      expect(torn.phase).toBe('done');
      const after = { local: await clusterScopedNames(local), remote: await clusterScopedNames(remote) };
      for (const side of ['local', 'remote'] as const) {
        for (const kind of Object.keys(before[side]).filter((k) => k !== 'Namespace')) {
          expect({ kind, side, names: after[side][kind] }).toEqual({ kind, side, names: before[side][kind] });
        }
        expect(after[side].Namespace).not.toContain('istio-system');
        expect(after[side].Namespace).not.toContain('sample');
      }
    } finally {
      await worker.stop();
      await connection.close();
    }
  });
});
