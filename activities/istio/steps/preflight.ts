import { ApplicationFailure } from '@temporalio/common';
import type { StepInput, StepOutcome } from '../../../common/step-contract';
import { missingPermissions, type Permission } from '../../kube/access-review';
import type { ClusterClient } from '../../kube/cluster-client';
import { KUBE_FAILURE, kubeCall } from '../../kube/kube-failure';
import { checkIstioctlVersion, ISTIO_LABELS, ISTIO_NAMESPACE } from '../istioctl';
import { remoteApiServer } from '../remote-secret';
import type { StepContext } from './step-context';

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
  // link-secret checks what the reader identity may do there
  { verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' },
];

async function serverVersion(client: ClusterClient): Promise<string> {
  const v = await kubeCall({ verb: 'read the version of', object: `API server ${client.server}`, context: client.context }, () =>
    client.version.getCode(),
  );
  return v.gitVersion;
}

/** Who installed an Istio object, from the labels istioctl or Helm put on it. */
function installedBy(labels: Record<string, string> | undefined, annotations: Record<string, string> | undefined): string {
  if (annotations?.['meta.helm.sh/release-name']) return `Helm release ${annotations['meta.helm.sh/release-name']}`;
  if (labels?.[ISTIO_LABELS.managed]) return `istioctl ${labels[ISTIO_LABELS.version] ?? ''}`.trim();
  return 'another tool';
}

/**
 * An Istio control plane or webhook on the cluster that meshops did not install: meshops would
 * overwrite and later delete it. Ours carry one of meshops' owning-resource labels; an install of
 * an earlier meshops (before it labelled Istio's objects) is recognised by its meshops-managed
 * istio-system. Istio's CRDs alone (left by an earlier install) are not a control plane.
 */
async function foreignIstio(client: ClusterClient): Promise<string[]> {
  const [deployments, webhooks, namespace] = await Promise.all([
    kubeCall({ verb: 'list', object: 'istiod Deployments', context: client.context }, () => client.apps.listDeploymentForAllNamespaces({ labelSelector: 'app=istiod' })),
    kubeCall({ verb: 'list', object: 'Istio injection webhooks', context: client.context }, () =>
      client.objects.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', undefined, undefined, undefined, undefined, undefined, 'app=sidecar-injector'),
    ),
    client.core.readNamespace({ name: ISTIO_NAMESPACE }).catch(() => undefined),
  ]);
  const earlierMeshops = namespace?.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'meshops';
  const ours = (meta: { labels?: Record<string, string>; namespace?: string } | undefined) =>
    (meta?.labels?.[ISTIO_LABELS.owner] ?? '').startsWith('meshops') || (earlierMeshops && (meta?.namespace ?? ISTIO_NAMESPACE) === ISTIO_NAMESPACE);
  return [
    ...deployments.items.filter((d) => !ours(d.metadata)).map((d) => `Deployment ${d.metadata?.namespace}/${d.metadata?.name} (${installedBy(d.metadata?.labels, d.metadata?.annotations)})`),
    ...webhooks.items.filter((w) => !ours(w.metadata)).map((w) => `MutatingWebhookConfiguration ${w.metadata?.name} (${installedBy(w.metadata?.labels, w.metadata?.annotations)})`),
  ];
}

/**
 * Read-only: istioctl renders the spec's release, both contexts answer, their versions, the
 * permissions the install needs, the remote API server reachable by istiod, no Istio that
 * meshops did not install.
 */
export async function preflight(ctx: StepContext, { spec }: StepInput): Promise<StepOutcome> {
  const local = ctx.local(spec);
  const remote = ctx.remote(spec);
  if (!spec.remote.apiServer && !/^https:\/\//.test(remote.server)) {
    throw ApplicationFailure.nonRetryable(
      `The remote API server URL ${remote.server} (context ${remote.context}) is not https: local's istiod needs a TLS endpoint for the remote secret. Fix the kubeconfig, or set remoteApiServer=https://….`,
      KUBE_FAILURE.invalid,
    );
  }
  const remoteServer = remoteApiServer(remote, spec.remote.apiServer);
  const [localVersion, remoteVersion] = await Promise.all([serverVersion(local), serverVersion(remote)]);
  const [localMissing, remoteMissing] = await Promise.all([missingPermissions(local, LOCAL_NEEDS), missingPermissions(remote, REMOTE_NEEDS)]);
  const missing = [...localMissing.map((m) => `${local.context}: ${m}`), ...remoteMissing.map((m) => `${remote.context}: ${m}`)];
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `The worker's identities lack permissions the mesh install needs: ${missing.join('; ')}. Bind them to cluster-admin (or a role with these verbs), then retry preflight.`,
      KUBE_FAILURE.forbidden,
    );
  }
  const istioctl = await checkIstioctlVersion(ctx.deps.istioctlPath, spec, ctx.deps.allowDevIstioctl);
  const [localForeign, remoteForeign] = await Promise.all([foreignIstio(local), foreignIstio(remote)]);
  const foreign = [...localForeign.map((f) => `${local.context}: ${f}`), ...remoteForeign.map((f) => `${remote.context}: ${f}`)];
  if (foreign.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `An Istio that meshops did not install runs here: ${foreign.join('; ')}. meshops installs and later removes its own control plane: ` +
        'uninstall that one first (istioctl uninstall --purge, or helm uninstall), or choose other clusters.',
      'ForeignIstio',
    );
  }
  return {
    summary: `istioctl ${istioctl} renders Istio ${spec.istio.version}; ${local.context} ${localVersion}, ${remote.context} ${remoteVersion}; permissions ok; remote API server ${remoteServer} for istiod; no other Istio installed`,
  };
}
