import { PatchStrategy, setHeaderOptions, type V1ConfigMap, type Watch } from '@kubernetes/client-node';
import type { ApplicationFailure } from '@temporalio/common';
import { applyObjects, deleteObjects } from '../../activities/kube/apply';
import { KubeClients } from '../../activities/kube/cluster-client';
import type { ClusterClient } from '../../activities/kube/cluster-client';
import type { KubeObject } from '../../activities/kube/kube-object';
import { relistDelayMs, waitFor } from '../../activities/kube/wait-for';
import { STUCK_AFTER_MS, waitForWorkloads } from '../../activities/kube/waits';
import { acquireClusterLock } from '../harness/cluster-lock';
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

  it('fails on a pull the registry refused, quoting the event and the fix', async () => {
    await applyObjects(remote, [deployment('unpullable', { containers: [{ name: 'app', image: 'registry.istio.io/testing/pilot:latest' }] })]);
    const failure = await rejection(waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=unpullable', timeoutMs: 100_000 }));
    expect(failure).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    // the kubelet shows ErrImagePull for a few seconds, then ImagePullBackOff: the stuck check, every
    // 2 s, may see either (hopelessContainers fails ErrImagePull already: test/activities/readiness.test.ts)
    expect(failure?.message).toMatch(
      /Pod primitives-waits\/unpullable-[a-z0-9-]+: container app is in (ErrImagePull|ImagePullBackOff) \((Back-off pulling image "registry\.istio\.io\/testing\/pilot:latest": ErrImagePull: )?rpc error: code = NotFound desc = failed to pull and unpack image "registry\.istio\.io\/testing\/pilot:latest".*not found\); event Failed: Failed to pull image "registry\.istio\.io\/testing\/pilot:latest": rpc error/,
    );
    expect(failure?.message).toContain("check that the spec's istio version and hub name a published release");
  });

  it('fails at once on a pod already in ImagePullBackOff, naming the image and the fix', async () => {
    await applyObjects(remote, [deployment('backed-off', { containers: [{ name: 'app', image: 'registry.istio.io/testing/proxyv2:latest' }] })]);
    await until('the pod to back off pulling', async () => {
      const [pod] = (await remote.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=backed-off' })).items;
      const reason = pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return reason === 'ImagePullBackOff' || `${reason}`;
    }, 60_000);
    const failure = await rejection(waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=backed-off', timeoutMs: 100_000 }));
    // failed by the stuck check, not by waiting out its timeout
    expect(failure).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    expect(failure?.message).toMatch(/^Waiting for .* cannot succeed \(/);
    expect(failure?.message).not.toContain('Timed out');
    expect(failure?.message).toMatch(/Pod primitives-waits\/backed-off-[a-z0-9-]+: container app is in ImagePullBackOff \(Back-off pulling image "registry\.istio\.io\/testing\/proxyv2:latest".*; event Failed: Failed to pull image/);
    expect(failure?.message).toContain("check that the spec's istio version and hub name a published release");
  });

  it(`fails on a volume that has not mounted for ${STUCK_AFTER_MS / 1000} s, quoting the kubelet's event`, async () => {
    // A running istiod (another test file's) writes istio-ca-root-cert into every namespace: hold the
    // lock those files take while istiod runs, so the ConfigMap stays missing.
    const release = await acquireClusterLock('istio-system');
    let failure: ApplicationFailure | undefined;
    try {
      await applyObjects(remote, [deployment('unmountable', { containers: [curl], volumes: [{ name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } }] })]);
      failure = await rejection(waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=unmountable', timeoutMs: 100_000 }));
    } finally {
      release();
    }
    expect(failure).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    expect(failure?.message).toMatch(/Pod primitives-waits\/unmountable-[a-z0-9-]+: FailedMount for \d+s: MountVolume\.SetUp failed for volume "istiod-ca-cert" : configmap "istio-ca-root-cert" not found\./);
    expect(failure?.message).toContain('istiod writes ConfigMap istio-ca-root-cert into every namespace of the clusters it serves');
  }, 16 * 60_000); // waits for the istio-system lock, held for minutes by the istiod test files

  it('fails on a real crash loop (pilot-discovery exiting on an unknown command, restarted by the agent), quoting the event and pointing at the previous log', async () => {
    // the agent runs a pilot image as a real process and restarts it as a kubelet does: at once, then CrashLoopBackOff
    const crasher = {
      name: 'discovery',
      image: 'registry.istio.io/release/pilot:1.31.0',
      args: ['no-such-command'],
      ports: [{ containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
    };
    await applyObjects(remote, [deployment('crasher', { containers: [crasher] })]);
    const failure = await rejection(waitForWorkloads(remote, { namespace: ns, labelSelector: 'app=crasher', timeoutMs: 100_000 }));
    const [pod] = (await remote.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=crasher' })).items;
    expect(pod.status?.containerStatuses?.[0].restartCount).toBeGreaterThanOrEqual(2);
    expect(failure).toMatchObject({ type: 'KubeWorkloadStuck', nonRetryable: true });
    expect(failure?.message).toContain(`Pod ${ns}/${pod.metadata?.name}: container discovery is in CrashLoopBackOff (back-off 10s restarting failed container=discovery pod=${pod.metadata?.name}_${ns}`);
    expect(failure?.message).toMatch(/; last exit code \d+; event BackOff: Back-off restarting failed container discovery in pod /);
    expect(failure?.message).toContain(`kubectl logs -n ${ns} ${pod.metadata?.name} -c discovery --previous`);
  });

  it('backs off relists from 250 ms to 10 s with ±25% jitter', () => {
    expect([0, 1, 2, 5, 10].map((n) => relistDelayMs(n, () => 0.5))).toEqual([250, 500, 1000, 8000, 10_000]);
    expect(relistDelayMs(0, () => 0)).toBe(188);
    expect(relistDelayMs(0, () => 1)).toBe(313);
    expect(new Set(Array.from({ length: 20 }, () => relistDelayMs(3))).size).toBeGreaterThan(1);
  });
  /**
   * A client whose watches the real API server keeps ending: each is asked with `timeoutSeconds: 1`,
   * so the server closes it after a second, with no event. Logs each watch's start and end.
   */
  function closingWatches(log: string[]): ClusterClient {
    const watch = {
      watch: (path: string, params: Record<string, unknown>, callback: (phase: string, obj: unknown) => void, done: (err: unknown) => void) => {
        log.push('watch');
        return remote.watch.watch(path, { ...params, timeoutSeconds: 1 }, callback, (err: unknown) => {
          log.push(err ? `ended: ${String(err)}` : 'ended');
          done(err);
        });
      },
    } as unknown as Watch;
    return { ...remote, watch };
  }

  it('reconnects a watch the server keeps closing after the backed-off, jittered delays of relists, not at once', async () => {
    const log: string[] = [];
    // jitter from a fixed sequence: the lowest, the highest, the middle, …
    const jitter = [0, 0.999, 0.5, 0.25, 0.75];
    let draws = 0;
    const random = () => jitter[draws++ % jitter.length];
    // the delays are recorded, not slept: the server's closing of each watch paces the test
    const sleep = async (ms: number) => void log.push(`sleep ${ms}`);
    const failure = await rejection(
      waitFor<V1ConfigMap>(
        {
          client: closingWatches(log),
          what: 'a ConfigMap nobody makes',
          resource: { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespace: ns },
          fieldSelector: 'metadata.name=never-made',
          check: (items) => ({ done: items.length > 0, progress: 'not there' }),
          explain: async () => [],
          timeoutMs: 6_000,
        },
        { sleep, random },
      ),
    );
    expect(failure).toMatchObject({ type: 'KubeWaitTimeout' });
    // each watch the server ended is followed by a delay before the next watch: never reconnected at once
    const reconnects = log.filter((l) => l.startsWith('sleep')).length;
    expect(reconnects).toBeGreaterThanOrEqual(3);
    expect(log.slice(0, 3 * reconnects)).toEqual(Array.from({ length: reconnects }, (_, n) => ['watch', 'ended', `sleep ${relistDelayMs(n, () => jitter[n % jitter.length])}`]).flat());
    // the n-th delay is 250 ms · 2^n (at most 10 s), ±25%, as the jitter drawn puts it
    const delays = log.filter((l) => l.startsWith('sleep')).map((l) => Number(l.slice('sleep '.length)));
    expect(delays.slice(0, 3)).toEqual([188, 625, 1000]);
    delays.forEach((ms, n) => {
      const base = Math.min(250 * 2 ** n, 10_000);
      expect({ n, ms, within: ms >= 0.75 * base - 1 && ms <= 1.25 * base + 1 }).toEqual({ n, ms, within: true });
    });
  });
});
