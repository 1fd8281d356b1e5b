import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

/** A manifest as applied: apiVersion, kind and metadata.name are always there. */
export interface KubeObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string };
  [field: string]: unknown;
}

const ManifestShape = z.object({
  apiVersion: z.string().min(1, { message: 'every manifest needs an apiVersion' }),
  kind: z.string().min(1, { message: 'every manifest needs a kind' }),
  metadata: z.looseObject({
    name: z.string().min(1, { message: 'every manifest needs metadata.name' }),
    namespace: z.string().optional(),
  }),
});

/** "Deployment istio-system/istiod": how messages name an object. */
export function describeObject(obj: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const ns = obj.metadata.namespace ? `${obj.metadata.namespace}/` : '';
  return `${obj.kind} ${ns}${obj.metadata.name}`;
}

/** Parses a multi-document YAML stream (e.g. istioctl output) into manifests; empty documents are skipped. */
export function parseManifests(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      throw new Error(`${source}: document ${index + 1} is not valid YAML: ${doc.errors[0].message}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const parsed = ManifestShape.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${source}: document ${index + 1} (${issue.path.join('.') || 'root'}): ${issue.message}`);
    }
    objects.push(value as KubeObject);
  });
  return objects;
}

/** Sets the namespace on namespaced objects that have none (istioctl leaves some to the caller). */
export function inNamespace(objects: KubeObject[], namespace: string, clusterScopedKinds: ReadonlySet<string>): KubeObject[] {
  return objects.map((o) =>
    o.metadata.namespace || clusterScopedKinds.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace } },
  );
}

/** Kinds that have no namespace, among those the mesh installs. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'Node',
  'APIService',
]);
