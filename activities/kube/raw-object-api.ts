import { HttpMethod, type KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';

/**
 * KubernetesObjectApi that can send a manifest exactly as written. client-node's `patch` runs the
 * body through its typed model serializer, which silently drops keys it does not model under
 * their wire names (`x-kubernetes-int-or-string` in Istio's CRDs, fields newer than the client),
 * so the API server would receive a different object than the one rendered.
 */
export class RawObjectApi extends KubernetesObjectApi {
  static forKubeConfig(kc: KubeConfig): RawObjectApi {
    const api = kc.makeApiClient(RawObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /**
   * Server-side apply of the manifest as written: with `force`, `kubectl apply --server-side
   * --force-conflicts`; without, a field another manager owns with another value is a 409 naming it.
   */
  async serverSideApply<T extends KubernetesObject>(manifest: T, fieldManager: string, force = true): Promise<T> {
    const path = await this.specUriPath(manifest, 'patch');
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    request.setHeaderParam('Accept', 'application/json');
    request.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    request.setQueryParam('fieldManager', fieldManager);
    request.setQueryParam('force', String(force));
    request.setBody(JSON.stringify(manifest));
    return this.requestPromise<T>(request);
  }
}
