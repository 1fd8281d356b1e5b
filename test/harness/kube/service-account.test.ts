import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { testKubeConfig } from './test-clusters';
import { until } from './wait';

const namespace = 'harness-service-account';

/** The seed's remote_kubecfg: the remote server, the token Secret's CA and token. */
function kubeconfigFromToken(server: string, caData: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'remote', server, caData, skipTLSVerify: false }],
    users: [{ name: 'istio-multi', token }],
    contexts: [{ name: 'istio-multi', cluster: 'remote', user: 'istio-multi' }],
    currentContext: 'istio-multi',
  });
  return kc;
}

describe('service-account token on the remote cluster', () => {
  const admin = testKubeConfig('remote');
  const core = admin.makeApiClient(CoreV1Api);
  let tokenKc: KubeConfig;

  beforeAll(async () => {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'istio-multi' } } });
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'istio-multi-token', annotations: { 'kubernetes.io/service-account.name': 'istio-multi' } },
        type: 'kubernetes.io/service-account-token',
      },
    });
  });

  it('gets its token Secret filled by the controller-manager', async () => {
    await until('the token controller to fill istio-multi-token', async () => {
      const secret = await core.readNamespacedSecret({ name: 'istio-multi-token', namespace });
      return (secret.data?.token !== undefined && secret.data['ca.crt'] !== undefined) || 'token not filled yet';
    });
    const secret = await core.readNamespacedSecret({ name: 'istio-multi-token', namespace });
    const token = Buffer.from(secret.data!.token, 'base64').toString();
    expect(token.split('.')).toHaveLength(3); // a signed JWT
    expect(Buffer.from(secret.data!.namespace, 'base64').toString()).toBe(namespace);
    tokenKc = kubeconfigFromToken(admin.getCurrentCluster()!.server, secret.data!['ca.crt'], token);
  });

  it('authenticates to remote as the service account with a kubeconfig built from that token', async () => {
    const review = await tokenKc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:istio-multi`);
  });

  it('is refused what its RBAC does not allow, and allowed once a Role grants it', async () => {
    const asToken = tokenKc.makeApiClient(CoreV1Api);
    await expect(asToken.listNamespacedSecret({ namespace: 'kube-system' })).rejects.toMatchObject({ code: 403 });
    await expect(asToken.listNamespacedPod({ namespace })).rejects.toMatchObject({ code: 403 });

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'istio-multi-pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'istio-multi', namespace }],
      },
    });
    const access = tokenKc.makeApiClient(AuthorizationV1Api);
    await until('RBAC to grant pods/list to istio-multi', async () => {
      const review = await access.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace, verb: 'list', resource: 'pods' } } },
      });
      return review.status?.allowed === true || 'not allowed yet';
    });
    await expect(asToken.listNamespacedPod({ namespace })).resolves.toMatchObject({ items: [] });
    const secrets = await access.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace: 'kube-system', verb: 'list', resource: 'secrets' } } },
    });
    expect(secrets.status?.allowed).toBe(false);
  });
});
