import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { testKubeConfig } from './test-clusters';
import { sleep, until } from './wait';

const namespace = 'harness-kubelet';

/**
 * The kubelet stand-in (agent/kubelet.ts) refuses what a real kubelet refuses: kwok alone would
 * report every scheduled pod Running and Ready whatever it mounts or pulls.
 */
describe('kubelet rules of the test clusters', () => {
  const core = testKubeConfig('remote').makeApiClient(CoreV1Api);
  const pod = (name: string, spec: Partial<V1Pod['spec']> & object): V1Pod => ({
    metadata: { name, namespace },
    spec: { containers: [{ name: 'app', image: 'docker.io/curlimages/curl:8.16.0' }], ...spec },
  });
  const read = (name: string) => core.readNamespacedPod({ name, namespace });
  const ready = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const events = async (name: string): Promise<CoreV1Event[]> => (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items;
  const eventually = (what: string, check: () => Promise<true | string>) => until(what, check, 60_000);

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
  });

  // Not istio-ca-root-cert: a mesh test's istiod may be writing that one into every namespace meanwhile.
  it('keeps a pod whose ConfigMap volume is missing in ContainerCreating with FailedMount, and starts it once the ConfigMap exists', async () => {
    await core.createNamespacedPod({ namespace, body: pod('needs-config', { volumes: [{ name: 'app-config', configMap: { name: 'app-config' } }] }) });
    await eventually('a FailedMount event', async () => (await events('needs-config')).some((e) => e.reason === 'FailedMount') || 'none yet');
    const failed = (await events('needs-config')).find((e) => e.reason === 'FailedMount');
    expect(failed).toMatchObject({ type: 'Warning', source: { component: 'kubelet' }, message: 'MountVolume.SetUp failed for volume "app-config" : configmap "app-config" not found' });
    await sleep(3_000); // the stand-in rechecks every 2 s: still not there
    const waiting = await read('needs-config');
    expect(waiting.status?.phase).toBe('Pending');
    expect(waiting.status?.podIP).toBeUndefined();
    expect(waiting.status?.containerStatuses?.[0].state?.waiting?.reason).toBe('ContainerCreating');
    expect(ready(waiting)).toBe(false);

    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'app-config' }, data: { 'app.yaml': 'x' } } });
    await eventually('the pod to start', async () => ready(await read('needs-config')) || 'not Ready');
    expect((await read('needs-config')).status?.podIP).toMatch(/^10\.245\./);
  });

  it('holds back a missing Secret and a projected ConfigMap key, but not an optional Secret', async () => {
    await core.createNamespacedPod({ namespace, body: pod('needs-secret', { volumes: [{ name: 'certs', secret: { secretName: 'cacerts' } }] }) });
    await core.createNamespacedPod({
      namespace,
      body: pod('needs-key', { volumes: [{ name: 'proj', projected: { sources: [{ configMap: { name: 'app-config', items: [{ key: 'missing.pem', path: 'x' }] } }] } }] }),
    });
    await core.createNamespacedPod({ namespace, body: pod('optional-secret', { volumes: [{ name: 'certs', secret: { secretName: 'cacerts', optional: true } }] }) });
    await eventually('the optional one to start', async () => ready(await read('optional-secret')) || 'not Ready');
    await eventually('FailedMount for both others', async () => {
      const messages = [...(await events('needs-secret')), ...(await events('needs-key'))].map((e) => e.message);
      return (messages.includes('MountVolume.SetUp failed for volume "certs" : secret "cacerts" not found') &&
        messages.includes('MountVolume.SetUp failed for volume "proj" : configmap references non-existent config key: missing.pem')) || messages.join(' | ');
    });
    expect(ready(await read('needs-secret'))).toBe(false);
    expect(ready(await read('needs-key'))).toBe(false);
  });

  it("reports an init container that cannot pull on initContainerStatuses, its app containers PodInitializing", async () => {
    await core.createNamespacedPod({ namespace, body: pod('bad-init', { initContainers: [{ name: 'istio-init', image: 'registry.istio.io/testing/proxyv2:latest' }] }) });
    await eventually('ImagePullBackOff on the init container', async () => (await read('bad-init')).status?.initContainerStatuses?.[0].state?.waiting?.reason === 'ImagePullBackOff' || 'not yet');
    const status = (await read('bad-init')).status;
    expect(status?.containerStatuses?.[0].state?.waiting?.reason).toBe('PodInitializing');
    expect((await events('bad-init')).find((e) => e.message === 'Error: ErrImagePull')?.involvedObject.fieldPath).toBe('spec.initContainers{istio-init}');
  });

  it("pulls only what the registry holds: an uninjected gateway's `image: auto` goes ErrImagePull, then ImagePullBackOff, with the kubelet's events", async () => {
    await core.createNamespacedPod({ namespace, body: pod('uninjected', { containers: [{ name: 'istio-proxy', image: 'auto' }] }) });
    await core.createNamespacedPod({ namespace, body: pod('dev-build', { containers: [{ name: 'discovery', image: 'registry.istio.io/testing/pilot:latest' }] }) });
    await core.createNamespacedPod({ namespace, body: pod('release', { containers: [{ name: 'app', image: 'registry.istio.io/release/examples-helloworld-v2:1.0' }] }) });
    await eventually('ImagePullBackOff', async () => (await read('uninjected')).status?.containerStatuses?.[0].state?.waiting?.reason === 'ImagePullBackOff' || 'not yet');
    const waiting = (await read('uninjected')).status?.containerStatuses?.[0].state?.waiting;
    expect(waiting?.message).toBe(
      'Back-off pulling image "auto": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/auto:latest": failed to resolve reference "docker.io/library/auto:latest": docker.io/library/auto:latest: not found',
    );
    // the kubelet (stand-in) records its events after the status, as a real one does: wait for them
    const wanted = ['Failed: Error: ErrImagePull', 'BackOff: Back-off pulling image "auto"', 'Failed: Error: ImagePullBackOff'];
    await eventually('the kubelet\'s pull events', async () => {
      const reasons = (await events('uninjected')).map((e) => `${e.reason}: ${e.message}`);
      return wanted.every((w) => reasons.includes(w)) || `events so far: ${JSON.stringify(reasons)}`;
    });
    await eventually('the dev build to be refused too', async () => (await read('dev-build')).status?.containerStatuses?.[0].state?.waiting?.reason === 'ImagePullBackOff' || 'not yet');
    await eventually('the release image to run', async () => ready(await read('release')) || 'not Ready');
  });

  it('reports an evicted pod not Ready', async () => {
    await core.createNamespacedPod({ namespace, body: pod('evicted', {}) });
    await eventually('the pod to start', async () => ready(await read('evicted')) || 'not Ready');
    // what a kubelet under memory pressure writes
    await core.patchNamespacedPodStatus(
      { name: 'evicted', namespace, body: { status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory. ' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await eventually('Ready to go False', async () => !ready(await read('evicted')) || 'still Ready');
    await sleep(3_000);
    const evicted = await read('evicted');
    expect(evicted.status).toMatchObject({ phase: 'Failed', reason: 'Evicted' });
    expect(evicted.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodFailed' });
  });
});
