import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ClusterClient } from './cluster-client';
import { kubeCall } from './kube-failure';

/** As `kubectl rollout restart`: a new pod-template annotation, so the Deployment replaces every pod. */
export async function rolloutRestart(client: ClusterClient, namespace: string, name: string, at = new Date()): Promise<void> {
  await kubeCall({ verb: 'restart', object: `Deployment ${namespace}/${name}`, context: client.context }, () =>
    client.apps.patchNamespacedDeployment(
      { name, namespace, body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at.toISOString() } } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    ),
  );
}
