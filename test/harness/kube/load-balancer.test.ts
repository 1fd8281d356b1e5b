import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import type { ContextName } from './index';
import { testKubeConfig } from './test-clusters';
import { until } from './wait';

const namespace = 'harness-load-balancer';

async function ingressOf(context: ContextName): Promise<string> {
  const core = testKubeConfig(context).makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const body: V1Service = {
    metadata: { name: 'istio-ingressgateway', labels: { app: 'istio-ingressgateway' } },
    spec: { type: 'LoadBalancer', selector: { app: 'istio-ingressgateway' }, ports: [{ name: 'tls', port: 15443 }] },
  };
  await core.createNamespacedService({ namespace, body });
  let ip = '';
  await until(`an ingress address for the ${context} gateway Service`, async () => {
    const svc = await core.readNamespacedService({ name: 'istio-ingressgateway', namespace });
    ip = svc.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
    return ip !== '' || 'no status.loadBalancer.ingress yet';
  });
  return ip;
}

describe('load-balancer controller', () => {
  it('gives a remote LoadBalancer Service an address from 198.51.100.0/24', async () => {
    expect(await ingressOf('remote')).toMatch(/^198\.51\.100\.\d+$/);
  });

  it('gives a local LoadBalancer Service an address from 192.0.2.0/24', async () => {
    expect(await ingressOf('local')).toMatch(/^192\.0\.2\.\d+$/);
  });
});
