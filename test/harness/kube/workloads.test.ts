import { AppsV1Api, CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { pinnedVersions } from './binaries';
import { testKubeConfig } from './test-clusters';
import { until } from './wait';

const namespace = 'harness-workloads';

describe('remote test cluster', () => {
  const kc = testKubeConfig('remote');
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  it('serves the pinned Kubernetes release at /version', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(pinnedVersions().KUBERNETES_VERSION);
  });

  it('has two Ready kwok nodes', async () => {
    const { items } = await core.listNode();
    expect(items.map((n) => n.metadata?.name).sort()).toEqual(['remote-node-1', 'remote-node-2']);
    for (const node of items) {
      expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
  });

  it('turns a Deployment of 2 replicas into 2 Ready pods with IPs', async () => {
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'helloworld-v2', labels: { app: 'helloworld' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'helloworld', version: 'v2' } },
          template: {
            metadata: { labels: { app: 'helloworld', version: 'v2' } },
            spec: {
              containers: [{ name: 'helloworld', image: 'registry.istio.io/release/examples-helloworld-v2:1.0', ports: [{ containerPort: 5000 }] }],
            },
          },
        },
      },
    });

    await until('2 Ready helloworld-v2 pods', async () => {
      const { items } = await core.listNamespacedPod({ namespace, labelSelector: 'app=helloworld,version=v2' });
      const ready = items.filter(
        (p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === 2 || `${ready.length} of ${items.length} pods Ready with an IP`;
    });

    const { items } = await core.listNamespacedPod({ namespace, labelSelector: 'app=helloworld,version=v2' });
    expect(items.map((p) => p.status?.phase)).toEqual(['Running', 'Running']);
    for (const pod of items) expect(pod.status?.podIP).toMatch(/^10\.245\.[01]\.\d+$/);
    await until('the Deployment to report 2 ready replicas', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'helloworld-v2', namespace });
      return d.status?.readyReplicas === 2 || `readyReplicas ${d.status?.readyReplicas}`;
    });
  });
});
