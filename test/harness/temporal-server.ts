import { Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../worker/dev-server';
import { meshopsCacheDir } from './kube/binaries';

export const TEST_TEMPORAL_ADDRESS_ENV = 'MESHOPS_TEST_TEMPORAL_ADDRESS';

/**
 * Workflow ids derive from the cluster pair, so runs against the real test clusters (contexts
 * `local`/`remote`) live in their own namespace, apart from the bot and workflow tests that use
 * the same context names with fake activities.
 */
export const CLUSTER_TEST_NAMESPACE = 'meshops-clusters';

/** One real Temporal dev server (in memory, free port) shared by a whole test run. */
export function startTestTemporal(): Promise<DevServer> {
  const cacheDir = meshopsCacheDir();
  return startDevServer({ cacheDir, extraNamespaces: [CLUSTER_TEST_NAMESPACE] });
}

/** The address global setup published; a test file run without global setup fails loudly. */
export function testTemporalAddress(): string {
  const address = process.env[TEST_TEMPORAL_ADDRESS_ENV];
  if (!address) throw new Error(`${TEST_TEMPORAL_ADDRESS_ENV} is unset: run tests through jest so test/harness/global-setup.ts starts Temporal.`);
  return address;
}

/** Connects once a worker's embedded server answers; the worker starts it, so retry until then (60 s). */
export async function connectWhenUp(address: string): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await Connection.connect({ address, connectTimeout: '2s' });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
