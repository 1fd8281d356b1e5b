import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { findBinary } from './binaries';
import type { ContextName } from './index';
import { testKubeConfig, testKubeconfigPath } from './test-clusters';

const run = promisify(execFile);

/** The root directory and network namespace holder of the (first Ready) istiod pod the agent runs. */
async function istiodPod(context: ContextName): Promise<{ name: string; root: string; netnsPid: string }> {
  const core = testKubeConfig(context).makeApiClient(CoreV1Api);
  const { items } = await core.listNamespacedPod({ namespace: 'istio-system', labelSelector: 'app=istiod' });
  const pod = items.find((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!pod?.metadata?.name) throw new Error(`no Ready istiod pod in istio-system on ${context}`);
  const root = join(dirname(testKubeconfigPath()), context, 'pods', `istio-system_${pod.metadata.name}`);
  return { name: pod.metadata.name, root, netnsPid: readFileSync(join(root, '.harness', 'netns-pid'), 'utf8').trim() };
}

/**
 * What `kubectl exec deploy/istiod -- pilot-discovery request GET <path>` shows: istiod's debug
 * endpoints (/debug/clusterz, /debug/networkz, /debug/endpointShardz…), asked from inside the
 * istiod pod's network, where istiod serves them to localhost.
 */
export async function istiodDebug<T>(path: string, context: ContextName = 'local'): Promise<T> {
  const { netnsPid } = await istiodPod(context);
  const { stdout } = await run('nsenter', [`--net=/proc/${netnsPid}/ns/net`, '--', findBinary('pilot-discovery'), 'request', 'GET', path], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}

/** The log of the istiod process the agent runs for the current istiod pod (what `kubectl logs deploy/istiod` shows). */
export async function istiodLog(context: ContextName = 'local'): Promise<string> {
  const { name } = await istiodPod(context);
  return readFileSync(join(dirname(testKubeconfigPath()), 'logs', `${context}-pod-istio-system-${name}.log`), 'utf8');
}
