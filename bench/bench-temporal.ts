import { startDevServer } from '../worker/dev-server';
import { meshopsCacheDir } from '../test/harness/kube/binaries';

/** The Temporal server a benchmark runs against: TEMPORAL_ADDRESS, or a dev server started (and later stopped) here. */
export async function benchTemporal(): Promise<{ address: string; stop(): Promise<void> }> {
  if (process.env.TEMPORAL_ADDRESS) return { address: process.env.TEMPORAL_ADDRESS, stop: async () => undefined };
  const server = await startDevServer({ cacheDir: meshopsCacheDir() });
  return { address: server.address, stop: () => server.stop() };
}
