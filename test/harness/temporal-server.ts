import { homedir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../../worker/dev-server';

export const TEST_TEMPORAL_ADDRESS_ENV = 'MESHOPS_TEST_TEMPORAL_ADDRESS';

/**
 * Workflow ids derive from the cluster pair, so runs against the real test clusters (contexts
 * `local`/`remote`) live in their own namespace, apart from the bot and workflow tests that use
 * the same context names with fake activities.
 */
export const CLUSTER_TEST_NAMESPACE = 'meshops-clusters';

/** One real Temporal dev server (in memory, free port) shared by a whole test run. */
export function startTestTemporal(): Promise<DevServer> {
  const cacheDir = process.env.MESHOPS_CACHE_DIR ?? join(homedir(), '.cache', 'meshops');
  return startDevServer({ cacheDir, extraNamespaces: [CLUSTER_TEST_NAMESPACE] });
}

/** The address global setup published; a test file run without global setup fails loudly. */
export function testTemporalAddress(): string {
  const address = process.env[TEST_TEMPORAL_ADDRESS_ENV];
  if (!address) throw new Error(`${TEST_TEMPORAL_ADDRESS_ENV} is unset: run tests through jest so test/harness/global-setup.ts starts Temporal.`);
  return address;
}
