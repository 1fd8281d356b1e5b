import { KubeConfig } from '@kubernetes/client-node';
import { startClusters, type Clusters, type ContextName } from './index';

/** Set by jest's global setup to the shared kubeconfig (contexts `local` and `remote`). */
export const TEST_KUBECONFIG_ENV = 'MESHOPS_TEST_KUBECONFIG';

declare global {
  var meshopsClusters: Clusters | undefined;
}

/** For jest's global setup: starts both clusters once per run and publishes the kubeconfig path. */
export async function startTestClusters(): Promise<Clusters> {
  const clusters = await startClusters();
  globalThis.meshopsClusters = clusters;
  process.env[TEST_KUBECONFIG_ENV] = clusters.kubeconfigPath;
  return clusters;
}

/** For jest's global teardown. */
export async function stopTestClusters(): Promise<void> {
  await globalThis.meshopsClusters?.stop();
  globalThis.meshopsClusters = undefined;
}

/** The shared kubeconfig's path; fails when the tests were not started through jest's global setup. */
export function testKubeconfigPath(): string {
  const path = process.env[TEST_KUBECONFIG_ENV];
  if (!path) {
    throw new Error(`${TEST_KUBECONFIG_ENV} is not set: run the tests with jest (its global setup starts the test clusters)`);
  }
  return path;
}

/** One KubeConfig per context, as the activities use them. */
export function testKubeConfig(context: ContextName): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testKubeconfigPath());
  kc.setCurrentContext(context);
  return kc;
}
