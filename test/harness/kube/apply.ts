import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { until } from './wait';

const isCrd = (o: KubernetesObject) => o.kind === 'CustomResourceDefinition';
const isNamespace = (o: KubernetesObject) => o.kind === 'Namespace';

/**
 * Applies a multi-document manifest with server-side apply (field manager `meshops`, forced):
 * CRDs first, waiting until each is Established, then Namespaces, then everything else.
 * A test helper; the product's own apply lives in activities/.
 */
export async function applyManifest(kc: KubeConfig, manifest: string, fieldManager = 'meshops') {
  // loadYaml gives client-node's typed models, which its serializer writes back intact (raw objects
  // lose fields such as x-kubernetes-int-or-string); empty documents are dropped first.
  const objects = parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null && typeof o === 'object' && typeof o.kind === 'string')
    .map((o) => loadYaml<KubernetesObject>(JSON.stringify(o)));
  const client = KubernetesObjectApi.makeApiClient(kc);
  const apply = (o: KubernetesObject) =>
    client.patch(o, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);

  const crds = objects.filter(isCrd);
  await Promise.all(crds.map(apply));
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  await Promise.all(
    crds.map((crd) =>
      until(`CRD ${crd.metadata?.name} to be Established`, async () => {
        const current = await extensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
        const established = current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
        return established === true || 'not Established yet';
      }),
    ),
  );
  for (const ns of objects.filter(isNamespace)) await apply(ns);
  const rest = objects.filter((o) => !isCrd(o) && !isNamespace(o));
  for (const o of rest) {
    try {
      await apply(o);
    } catch (err) {
      const body = (err as { body?: unknown }).body;
      throw new Error(`applying ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name} failed: ${String(body ?? err)}`, {
        cause: err,
      });
    }
  }
  return objects;
}

/** Deletes what applyManifest applied, in reverse order; objects already gone are fine. */
export async function deleteManifestObjects(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const o of [...objects].reverse()) {
    await client.delete(o, undefined, undefined, undefined, undefined, 'Background').catch((err: { code?: number }) => {
      if (err.code !== 404) throw err;
    });
  }
}
