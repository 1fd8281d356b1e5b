import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecRequest, ExecResult } from '../../activities/kube/exec';
import { scriptedExec } from './recorded-exec';

const FIXTURES = join(__dirname, '..', 'activities', 'fixtures');
/** The addresses the fixtures are written with: helloworld-v1's pod and the remote gateway. */
const RECORDED = { localPod: '10.244.1.3:5000', gateway: '198.51.100.1:15443' };

/**
 * Stand-in for sleep's data plane, which cannot run here (no Envoy): answers verify-split's execs
 * with fixtures written by hand in the formats of today's tools — the warm-up, the call loop (with
 * the run's request ids), and Envoy's /clusters through `pilot-agent request` (Envoy's
 * `cluster::host::stat::value` lines) — carrying this cluster's addresses. They were not recorded
 * from a running mesh. /clusters is answered as Envoy's counters grow: the first read (the
 * snapshot before the calls) shows only the warm-up's two calls, later reads the calls as well.
 * `paths` picks the outcome: the split as it should be, or v2 reached at a remote pod IP directly.
 */
export function recordedDataPlane(addresses: { localPod: string; gateway: string }, paths: 'split' | 'remote-pod' = 'split') {
  const fixture = (name: string) =>
    readFileSync(join(FIXTURES, name), 'utf8').replaceAll(RECORDED.localPod, addresses.localPod).replaceAll(RECORDED.gateway, addresses.gateway);
  let clusterReads = 0;
  const answer = (req: ExecRequest): ExecResult => {
    const command = req.command.join(' ');
    if (command.includes('x-request-id')) {
      const run = /meshops-([0-9a-f]+)-\$i/.exec(command)?.[1] ?? 'RUN';
      return { stdout: fixture('split-calls.txt').replaceAll('meshops-RUN-', `meshops-${run}-`), stderr: '', exitCode: 0 };
    }
    if (command.includes('meshops: both versions answered')) return { stdout: 'meshops: both versions answered after 2 calls\n', stderr: '', exitCode: 0 };
    if (command.startsWith('pilot-agent request GET clusters')) {
      clusterReads += 1;
      const name = clusterReads === 1 ? 'sleep-clusters-before.txt' : paths === 'split' ? 'sleep-clusters.txt' : 'sleep-clusters-remote-pod.txt';
      return { stdout: fixture(name), stderr: '', exitCode: 0 };
    }
    return { stdout: '', stderr: `the recorded data plane has no answer for: ${command}`, exitCode: 127 };
  };
  return scriptedExec(answer);
}
