import { stopTestClusters } from './kube/test-clusters';

export default async function globalTeardown(): Promise<void> {
  await Promise.all([globalThis.meshopsTemporal?.stop(), stopTestClusters()]);
}
