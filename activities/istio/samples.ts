import type { KubeObject } from '../kube/kube-object';
import { MANAGED_BY } from './mesh-objects';
import { EAST_WEST_GATEWAY } from './operator-overlays';

/** The seed's example service, as apps/v1 (the seed's extensions/v1beta1 Deployments no longer exist). */
export const HELLOWORLD = { name: 'helloworld', port: 5000 } as const;
export const SLEEP = { name: 'sleep', container: 'sleep' } as const;

export function sampleNamespace(namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'istio-injection': 'enabled', ...MANAGED_BY } } };
}

function helloworldService(namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: HELLOWORLD.name, namespace, labels: { app: HELLOWORLD.name, service: HELLOWORLD.name } },
    spec: { ports: [{ port: HELLOWORLD.port, name: 'http' }], selector: { app: HELLOWORLD.name } },
  };
}

function helloworldDeployment(namespace: string, version: 'v1' | 'v2'): KubeObject {
  const labels = { app: HELLOWORLD.name, version };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${HELLOWORLD.name}-${version}`, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: HELLOWORLD.name,
              image: `registry.istio.io/release/examples-helloworld-${version}:1.0`,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: HELLOWORLD.port }],
            },
          ],
        },
      },
    },
  };
}

/** Istio's samples/sleep/sleep.yaml: a curl client that stays up so verify-split can exec into it. */
function sleep(namespace: string): KubeObject[] {
  const labels = { app: SLEEP.name };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SLEEP.name, namespace } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SLEEP.name, namespace, labels: { ...labels, service: SLEEP.name } },
      spec: { ports: [{ port: 80, name: 'http' }], selector: labels },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: SLEEP.name, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 0,
            serviceAccountName: SLEEP.name,
            containers: [
              {
                name: SLEEP.container,
                image: 'docker.io/curlimages/curl:8.16.0',
                command: ['/bin/sleep', 'infinity'],
                imagePullPolicy: 'IfNotPresent',
              },
            ],
          },
        },
      },
    },
  ];
}

/** The seed's helloworld-gateway: SNI passthrough on the cross-network port, kept mTLS end to end. */
function crossNetworkGateway(namespace: string, port: number): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'helloworld-gateway', namespace },
    spec: {
      selector: { ...EAST_WEST_GATEWAY.selector },
      servers: [{ port: { number: port, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*'] }],
    },
  };
}

/** Envoy's access log for the sample namespace's proxies (Istio's built-in `envoy` provider): verify-split reads each call's path from it. */
function accessLogging(namespace: string): KubeObject {
  return {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: 'meshops-access-log', namespace, labels: { ...MANAGED_BY } },
    spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] },
  };
}

/** What deploy-samples applies on local: the namespace, helloworld v1, sleep, the Gateway and access logging. */
export function localSamples(namespace: string, crossNetworkPort: number): KubeObject[] {
  return [
    sampleNamespace(namespace),
    helloworldService(namespace),
    helloworldDeployment(namespace, 'v1'),
    ...sleep(namespace),
    crossNetworkGateway(namespace, crossNetworkPort),
    accessLogging(namespace),
  ];
}

/** What deploy-samples applies on remote: the namespace and helloworld v2. */
export function remoteSamples(namespace: string): KubeObject[] {
  return [sampleNamespace(namespace), helloworldService(namespace), helloworldDeployment(namespace, 'v2')];
}
