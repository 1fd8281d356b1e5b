import { FIELD_MANAGER } from '../../common/naming';
import { cancellationSignal, heartbeat } from './activity-context';
import type { ClusterClient } from './cluster-client';
import { describeObject, type KubeObject } from './kube-object';
import { withoutField } from './field-paths';
import { isNotFound, kubeCall, kubeFailure, statusCode } from './kube-failure';
import { waitForCrdsEstablished } from './waits';

/** What an apply left on the server, to report and to compare runs. */
export interface AppliedObject {
  ref: string;
  resourceVersion: string;
}

/** Lower ranks go first: what other objects need (namespaces, CRDs, identities, config) before workloads. */
const KIND_RANK: Record<string, number> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
  ServiceAccount: 2,
  ClusterRole: 3,
  Role: 3,
  ClusterRoleBinding: 4,
  RoleBinding: 4,
  ConfigMap: 5,
  Secret: 5,
  Service: 6,
  Deployment: 7,
  PodDisruptionBudget: 8,
  HorizontalPodAutoscaler: 8,
  MutatingWebhookConfiguration: 10,
  ValidatingWebhookConfiguration: 10,
};

export function applyOrder(objects: KubeObject[]): KubeObject[] {
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => (KIND_RANK[a.o.kind] ?? 9) - (KIND_RANK[b.o.kind] ?? 9) || a.i - b.i)
    .map(({ o }) => o);
}

export interface ApplyOptions {
  /** Budget for CRDs to become Established. */
  crdTimeoutMs?: number;
}

/**
 * Server-side applies the manifests with field manager `meshops` (forcing ownership, as
 * `kubectl apply --server-side --force-conflicts`): CRDs first, waited for Established, then the
 * rest in dependency order. Applying the same manifests again changes nothing on the server.
 * A cancelled activity stops before the next object (rejecting with the SDK's cancellation).
 */
export async function applyObjects(client: ClusterClient, objects: KubeObject[], options: ApplyOptions = {}): Promise<AppliedObject[]> {
  const ordered = applyOrder(objects);
  const crds = ordered.filter((o) => o.kind === 'CustomResourceDefinition');
  const rest = ordered.filter((o) => o.kind !== 'CustomResourceDefinition');
  const applied: AppliedObject[] = [];
  const signal = cancellationSignal();
  for (const crd of crds) {
    signal.throwIfAborted();
    applied.push(await applyOne(client, crd));
  }
  await waitForCrdsEstablished(
    client,
    crds.map((c) => c.metadata.name),
    options.crdTimeoutMs ?? 60_000,
  );
  for (const [index, obj] of rest.entries()) {
    signal.throwIfAborted();
    applied.push(await applyOne(client, obj));
    heartbeat({ applied: crds.length + index + 1, of: ordered.length });
  }
  return applied;
}

/**
 * Field managers whose fields meshops leaves to them: istiod's. It patches the webhooks it serves
 * (caBundle, and failurePolicy Ignore→Fail once validation works); forcing the rendered values
 * back would undo that on every run. The API server names an Update's manager after the client's
 * executable (`pilot-discovery` in Istio's image; the test clusters run a binary named
 * `pilot-discovery-<version>`).
 */
const YIELD_TO = /^pilot-discovery(-|$)/;

interface FieldConflict {
  manager: string;
  field: string;
}

/** The fields a non-forced server-side apply conflicts on, or undefined for any other error. */
function fieldConflicts(err: unknown): FieldConflict[] | undefined {
  if (statusCode(err) !== 409) return undefined;
  const body = (err as { body?: unknown }).body;
  let status: { details?: { causes?: { reason?: string; message?: string; field?: string }[] } };
  try {
    status = typeof body === 'string' ? JSON.parse(body) : ((body ?? {}) as typeof status);
  } catch {
    return undefined;
  }
  const conflicts = (status.details?.causes ?? [])
    .filter((c) => c.reason === 'FieldManagerConflict' && c.field)
    .map((c) => ({ manager: /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? '', field: c.field as string }));
  return conflicts.length > 0 ? conflicts : undefined;
}

/**
 * Applies without forcing first. On a conflict, fields istiod owns are dropped from the manifest
 * (istiod's value stays); fields of anyone else (a person's edit, another tool) are taken back
 * with a forced apply, as `istioctl install` does.
 */
async function applyOne(client: ClusterClient, obj: KubeObject): Promise<AppliedObject> {
  const ref = describeObject(obj);
  const action = { verb: 'apply', object: ref, context: client.context };
  let body = stripServerFields(obj);
  let result: KubeObject;
  try {
    result = await client.objects.serverSideApply(body, FIELD_MANAGER, false);
  } catch (err) {
    const conflicts = fieldConflicts(err);
    if (!conflicts) throw kubeFailure(err, action);
    for (const { field } of conflicts.filter((c) => YIELD_TO.test(c.manager))) body = withoutField(body, field) ?? body;
    result = await kubeCall(action, () => client.objects.serverSideApply(body, FIELD_MANAGER, true));
  }
  return { ref, resourceVersion: result.metadata?.resourceVersion ?? '' };
}

/**
 * Server-side apply refuses managedFields; uid and the like are the server's. A resourceVersion is
 * kept: it makes the apply conditional (409 when the object changed since it was read).
 */
function stripServerFields(obj: KubeObject): KubeObject {
  const { managedFields: _m, uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = obj.metadata;
  return { ...obj, metadata: { ...metadata, name: obj.metadata.name } };
}

/** Deletes the objects (404 is success), in reverse apply order. Returns how many existed. */
export async function deleteObjects(client: ClusterClient, objects: KubeObject[]): Promise<number> {
  let deleted = 0;
  const signal = cancellationSignal();
  for (const obj of applyOrder(objects).reverse()) {
    signal.throwIfAborted();
    const ref = describeObject(obj);
    heartbeat({ deleting: ref });
    try {
      await client.objects.delete({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata }, undefined, undefined, undefined, undefined, 'Background');
      deleted += 1;
    } catch (err) {
      if (!isNotFound(err)) throw kubeFailure(err, { verb: 'delete', object: ref, context: client.context });
    }
  }
  return deleted;
}
