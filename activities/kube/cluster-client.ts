import {
  ApiextensionsV1Api,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  Exec,
  KubeConfig,
  RbacAuthorizationV1Api,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { RawObjectApi } from './raw-object-api';

/** The API clients of one kubeconfig context, all made from that context's own KubeConfig. */
export interface ClusterClient {
  context: string;
  /** API server URL of the context (never a credential). */
  server: string;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  rbac: RbacAuthorizationV1Api;
  apiext: ApiextensionsV1Api;
  authz: AuthorizationV1Api;
  version: VersionApi;
  /** Generic objects; `serverSideApply` sends manifests as written. */
  objects: RawObjectApi;
  watch: Watch;
  exec: Exec;
}

/**
 * Builds the clients of one context. The KubeConfig is this context's alone: makeApiClient fixes
 * the server URL at creation but reads the current user per request, so sharing one KubeConfig and
 * switching its current context could pair one cluster's URL with another's credentials.
 */
export function createClusterClient(kubeconfigPath: string, context: string): ClusterClient {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const names = kc.getContexts().map((c) => c.name);
  if (!names.includes(context)) {
    throw ApplicationFailure.nonRetryable(
      `kubeconfig ${kubeconfigPath} has no context "${context}" (it has: ${names.join(', ') || 'none'}). ` +
        "Set the spec's local.context / remote.context to one of these.",
      'KubeconfigContextMissing',
    );
  }
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw ApplicationFailure.nonRetryable(`kubeconfig ${kubeconfigPath}: context "${context}" names no cluster; fix the context entry.`, 'KubeconfigContextMissing');
  }
  return {
    context,
    server: cluster.server,
    kubeConfig: kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    apiext: kc.makeApiClient(ApiextensionsV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
    version: kc.makeApiClient(VersionApi),
    objects: RawObjectApi.forKubeConfig(kc),
    watch: new Watch(kc),
    exec: new Exec(kc),
  };
}

/** One ClusterClient per context, built on first use and kept for the worker's life. */
export class KubeClients {
  private readonly byContext = new Map<string, ClusterClient>();

  constructor(readonly kubeconfigPath: string) {}

  forContext(context: string): ClusterClient {
    let client = this.byContext.get(context);
    if (!client) {
      client = createClusterClient(this.kubeconfigPath, context);
      this.byContext.set(context, client);
    }
    return client;
  }
}
