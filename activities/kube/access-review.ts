import type { ClusterClient } from './cluster-client';
import { kubeCall } from './kube-failure';

/** One permission to check, e.g. { verb: 'update', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' }. */
export interface Permission {
  verb: string;
  group: string;
  /** "pods" or "pods/exec". */
  resource: string;
  namespace?: string;
}

/** "update mutatingwebhookconfigurations.admissionregistration.k8s.io", "create secrets in istio-system". */
export function describePermission(p: Permission): string {
  const [resource, subresource] = p.resource.split('/');
  const what = `${p.verb} ${resource}${subresource ? `/${subresource}` : ''}${p.group ? `.${p.group}` : ''}`;
  return p.namespace ? `${what} in ${p.namespace}` : what;
}

/**
 * The permissions the cluster refuses: to the caller itself (SelfSubjectAccessReview), or to
 * another identity (SubjectAccessReview, e.g. a service account that istiod will act as).
 */
export async function missingPermissions(client: ClusterClient, needs: Permission[], subject?: { user: string; groups: string[] }): Promise<string[]> {
  const results = await Promise.all(
    needs.map(async (p) => {
      const [resource, subresource] = p.resource.split('/');
      const resourceAttributes = { verb: p.verb, group: p.group, resource, subresource, namespace: p.namespace };
      const what = describePermission(p);
      const review = await kubeCall({ verb: 'review access for', object: subject ? `${subject.user} to ${what}` : what, context: client.context }, () =>
        subject
          ? client.authz.createSubjectAccessReview({ body: { spec: { ...subject, resourceAttributes } } })
          : client.authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes } } }),
      );
      return review.status?.allowed ? undefined : what;
    }),
  );
  return results.filter((r): r is string => !!r);
}
