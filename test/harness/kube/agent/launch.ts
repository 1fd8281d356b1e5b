import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ManagedProcess } from '../process';

/** What one cluster's agent is started with (written to a JSON file it reads). */
export interface AgentConfig {
  cluster: string;
  /** Admin kubeconfig of the cluster (what the agent's controllers use). */
  kubeconfig: string;
  /** API server URL and its CA, for the kubeconfigs the agent writes for process-backed pods. */
  server: string;
  caCert: string;
  loadBalancerRange: string;
  /** Where process-backed pods get their root directory (their volumes, their working directory). */
  podsDir: string;
  logDir: string;
  /** Normalized image references the cluster's registry holds. */
  images: string[];
  /** The pilot-discovery binary that istiod's image runs here. */
  pilotDiscovery: string;
}

const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const agentMain = join(__dirname, 'main.ts');

/**
 * Starts the agent inside the test network namespace through `launch` (so it is one of the
 * cluster's processes, stopped with it) and returns a readiness check for it.
 */
export async function startAgent(
  config: AgentConfig,
  configFile: string,
  launch: (component: string, command: string, args: string[], cwd?: string) => ManagedProcess,
): Promise<{ process: ManagedProcess; started: () => Promise<true | string> }> {
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const readyFile = `${configFile}.ready`;
  const process = launch('agent', globalThis.process.execPath, ['--import', 'tsx', agentMain, configFile], repoRoot);
  return { process, started: async () => existsSync(readyFile) || 'not started yet' };
}
