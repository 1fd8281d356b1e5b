import { ApplicationFailure } from '@temporalio/common';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import type { ClusterClient } from '../../kube/cluster-client';
import { KUBE_FAILURE, kubeCall } from '../../kube/kube-failure';
import { ISTIO_NAMESPACE } from '../istioctl';
import type { StepContext } from './step-context';

interface Permission {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/** What installing the mesh does on each side (checked with SelfSubjectAccessReview). */
const LOCAL_NEEDS: Permission[] = [
  { verb: 'create', group: '', resource: 'namespaces' },
  { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  { verb: 'create', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' },
  { verb: 'create', group: '', resource: 'secrets', namespace: ISTIO_NAMESPACE },
  { verb: 'update', group: '', resource: 'configmaps', namespace: ISTIO_NAMESPACE },
  { verb: 'create', group: 'apps', resource: 'deployments', namespace: ISTIO_NAMESPACE },
  { verb: 'create', group: '', resource: 'pods/exec' },
];
const REMOTE_NEEDS: Permission[] = [
  ...LOCAL_NEEDS.filter((p) => p.resource !== 'pods/exec'),
  { verb: 'create', group: '', resource: 'serviceaccounts', namespace: ISTIO_NAMESPACE },
];

function describePermission(p: Permission): string {
  const [resource, subresource] = p.resource.split('/');
  const what = `${p.verb} ${resource}${subresource ? `/${subresource}` : ''}${p.group ? `.${p.group}` : ''}`;
  return p.namespace ? `${what} in ${p.namespace}` : what;
}

async function missingPermissions(client: ClusterClient, needs: Permission[]): Promise<string[]> {
  const results = await Promise.all(
    needs.map(async (p) => {
      const [resource, subresource] = p.resource.split('/');
      const review = await kubeCall({ verb: 'review access for', object: describePermission(p), context: client.context }, () =>
        client.authz.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { verb: p.verb, group: p.group, resource, subresource, namespace: p.namespace } } },
        }),
      );
      return review.status?.allowed ? undefined : describePermission(p);
    }),
  );
  return results.filter((r): r is string => !!r);
}

async function serverVersion(client: ClusterClient): Promise<string> {
  const v = await kubeCall({ verb: 'read the version of', object: `API server ${client.server}`, context: client.context }, () =>
    client.version.getCode(),
  );
  return v.gitVersion;
}

/** Read-only: both contexts answer, their versions, the permissions the install needs, the remote API server reachable. */
export async function preflight(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  if (!/^https:\/\//.test(remote.server)) {
    throw ApplicationFailure.nonRetryable(
      `The remote API server URL ${remote.server} (context ${remote.context}) is not https: local's istiod needs a TLS endpoint for the remote secret. Fix the kubeconfig.`,
      KUBE_FAILURE.invalid,
    );
  }
  const [localVersion, remoteVersion] = await Promise.all([serverVersion(local), serverVersion(remote)]);
  const [localMissing, remoteMissing] = await Promise.all([missingPermissions(local, LOCAL_NEEDS), missingPermissions(remote, REMOTE_NEEDS)]);
  const missing = [...localMissing.map((m) => `${local.context}: ${m}`), ...remoteMissing.map((m) => `${remote.context}: ${m}`)];
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `The worker's identities lack permissions the mesh install needs: ${missing.join('; ')}. Bind them to cluster-admin (or a role with these verbs), then retry preflight.`,
      KUBE_FAILURE.forbidden,
    );
  }
  return {
    summary: `${local.context} ${localVersion}, ${remote.context} ${remoteVersion}; permissions ok; remote API server ${remote.server} reachable`,
  };
}
