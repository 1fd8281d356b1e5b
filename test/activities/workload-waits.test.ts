import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import type { ApplicationFailure } from '@temporalio/common';
import { applyObjects, deleteObjects } from '../../activities/kube/apply';
import { KubeClients } from '../../activities/kube/cluster-client';
import type { KubeObject } from '../../activities/kube/kube-object';
import { relistDelayMs } from '../../activities/kube/wait-for';
import { STUCK_AFTER_MS, waitForWorkloads } from '../../activities/kube/waits';
import { testKubeconfigPath } from '../harness/kube/test-clusters';
import { until } from '../harness/kube/wait';

/**
 * waitForWorkloads against the test clusters' kubelet stand-in: pods that failed or were evicted
 * are not waited for, and what the kubelet will not get past by itself fails the wait at once with
 * the event's text and the fix, instead of after the step's timeout.
 */
describe('workload waits', () => {
  const remote = new KubeClients(testKubeconfigPath()).forContext('remote');
  const ns = 'primitives-waits';
  const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ApplicationFailure);
  const deployment = (name: string, podSpec: object): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
  });
  const curl = { name: 'app', image: 'docker.io/curlimages/curl:8.16.0' };

  jest.setTimeout(120_000);

  beforeAll(async () => {
    await applyObjects(remote, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  });
  afterAll(async () => {
    await deleteObjects(remote, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  });

  it('skips an evicted pod: the rollout is done when its replacement is Ready', async () => {
    await applyObjects(remote, [deployment('evictee', { containers: [curl] })]);
    await waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=evictee', timeoutMs: 60_000 });
    const [pod] = (await remote.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=evictee' })).items;
    await remote.core.patchNamespacedPodStatus(
      { name: pod.metadata!.name!, namespace: ns, body: { status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory. ' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    // the ReplicaSet replaces it; the evicted pod stays (as on a real cluster until it is garbage-collected)
    await until('a replacement pod', async () => (await remote.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=evictee' })).items.length === 2 || 'not yet', 60_000);
    const done = await waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=evictee', timeoutMs: 60_000 });
    expect(done).toEqual({ deployments: 1, pods: 1 });
  });

  it('fails at once on ImagePullBackOff, naming the image and the fix', async () => {
    await applyObjects(remote, [deployment('unpullable', { containers: [{ name: 'app', image: 'registry.istio.io/testing/pilot:latest' }] })]);
    const started = Date.now();
    const failure = await rejection(waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=unpullable', timeoutMs: 100_000 }));
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(failure).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    expect(failure?.message).toMatch(/Pod primitives-waits\/unpullable-[a-z0-9-]+: container app is in ImagePullBackOff \(Back-off pulling image "registry\.istio\.io\/testing\/pilot:latest"/);
    expect(failure?.message).toContain("check that the spec's istio version and hub name a published release");
  });

  it(`fails on a volume that has not mounted for ${STUCK_AFTER_MS / 1000} s, quoting the kubelet's event`, async () => {
    await applyObjects(remote, [deployment('unmountable', { containers: [curl], volumes: [{ name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } }] })]);
    const failure = await rejection(waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=unmountable', timeoutMs: 100_000 }));
    expect(failure).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    expect(failure?.message).toMatch(/Pod primitives-waits\/unmountable-[a-z0-9-]+: FailedMount for \d+s: MountVolume\.SetUp failed for volume "istiod-ca-cert" : configmap "istio-ca-root-cert" not found\./);
    expect(failure?.message).toContain('istiod writes ConfigMap istio-ca-root-cert into every namespace of the clusters it serves');
  });

  it('fails at once on CrashLoopBackOff, pointing at the previous log', async () => {
    await applyObjects(remote, [deployment('crasher', { containers: [curl] })]);
    await waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=crasher', timeoutMs: 60_000 });
    const [pod] = (await remote.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=crasher' })).items;
    const crashing: V1Pod['status'] = {
      conditions: [{ type: 'Ready', status: 'False' }, { type: 'ContainersReady', status: 'False' }],
      containerStatuses: [{ name: 'app', image: curl.image, imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=app pod=${pod.metadata?.name}_${ns}` } } }],
    };
    await remote.core.patchNamespacedPodStatus({ name: pod.metadata!.name!, namespace: ns, body: { status: crashing } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    const failure = await rejection(waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=crasher', timeoutMs: 100_000, allowEmpty: false }));
    expect(failure).toMatchObject({ type: 'KubeWorkloadStuck' });
    expect(failure?.message).toContain(`container app is in CrashLoopBackOff (back-off 40s restarting failed container=app`);
    expect(failure?.message).toContain(`kubectl logs -n ${ns} ${pod.metadata?.name} -c app --previous`);
  });

  it('backs off relists from 250 ms to 10 s with ±25% jitter', () => {
    expect([0, 1, 2, 5, 10].map((n) => relistDelayMs(n, () => 0.5))).toEqual([250, 500, 1000, 8000, 10_000]);
    expect(relistDelayMs(0, () => 0)).toBe(188);
    expect(relistDelayMs(0, () => 1)).toBe(313);
    expect(new Set(Array.from({ length: 20 }, () => relistDelayMs(3))).size).toBeGreaterThan(1);
  });
});
