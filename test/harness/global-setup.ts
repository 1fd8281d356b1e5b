import { startTestTemporal, TEST_TEMPORAL_ADDRESS_ENV } from './temporal-server';
import { startTestClusters } from './kube/test-clusters';
import type { DevServer } from '../../worker/dev-server';

declare global {
  var meshopsTemporal: DevServer | undefined;
}

/** Starts the real servers a test run shares; global-teardown.ts stops them. */
export default async function globalSetup(): Promise<void> {
  const clusters = startTestClusters(); // in parallel; sets MESHOPS_TEST_KUBECONFIG
  const temporal = await startTestTemporal();
  globalThis.meshopsTemporal = temporal;
  process.env[TEST_TEMPORAL_ADDRESS_ENV] = temporal.address;
  await clusters;
}
